package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.ConditionedStatus;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import dev.orderpipeline.operator.status.EventRecorder;
import dev.orderpipeline.operator.status.ReconcileFailure;
import dev.orderpipeline.operator.status.SpecProblem;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How both reconcilers write a status and announce a cause: the status only when it differs from the stored
 * one (a steady resource causes no API writes, so no GitOps churn), and a warning Event and log line only
 * when a cause is new, i.e. not already the message of the condition that reports it.
 */
final class StatusWrites {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWrites.class);

    private StatusWrites() {
    }

    static <S extends ConditionedStatus, R extends CustomResource<?, S>> UpdateControl<R> ifChanged(R resource, S status) {
        if (Objects.equals(resource.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        resource.setStatus(status);
        return UpdateControl.patchStatus(resource);
    }

    /**
     * A reconcile threw (the API server refused a child, or was unreachable): the status says why, for this
     * generation, and the resource is looked at again after {@code recheck}, not after JOSDK's maximum
     * reconciliation interval, so a fixed cause is noticed without an edit. JOSDK (5.2) honours an error control's
     * reschedule only without its own retries, and {@code rescheduleAfter} switches them off: a failure is looked
     * at again every {@code recheck}, not after JOSDK's backoff (ErrorRecheckTest proves the re-check).
     */
    static <S extends ConditionedStatus, R extends CustomResource<?, S>> ErrorStatusUpdateControl<R> failed(
            R resource, S status, ReconcileFailure failure, EventRecorder events, Duration recheck) {
        ConditionType reportedBy = failure.needsUser() ? ConditionType.Stalled : ConditionType.Reconciling;
        if (!alreadyReported(resource, reportedBy, failure.message())) {
            LOG.warn("event=reconcile_failed kind={} namespace={} name={} reason={} message=\"{}\"", resource.getKind(),
                    resource.getMetadata().getNamespace(), resource.getMetadata().getName(), failure.reason(),
                    failure.message());
            events.warning(resource, failure.reason(), failure.message());
        }
        ErrorStatusUpdateControl<R> control;
        if (Objects.equals(resource.getStatus(), status)) {
            control = ErrorStatusUpdateControl.noStatusUpdate();
        } else {
            resource.setStatus(status);
            control = ErrorStatusUpdateControl.patchStatus(resource);
        }
        return control.rescheduleAfter(recheck);
    }

    /** A spec or Secret problem: an Event and a log line naming the field, once per distinct problem. */
    static <S extends ConditionedStatus, R extends CustomResource<?, S>> void announceStall(R resource, SpecProblem problem,
                                                                                         EventRecorder events) {
        if (!alreadyReported(resource, ConditionType.Stalled, problem.message())) {
            LOG.warn("event=stalled kind={} namespace={} name={} reason={} field={} message=\"{}\"", resource.getKind(),
                    resource.getMetadata().getNamespace(), resource.getMetadata().getName(), problem.reason(),
                    problem.field(), problem.message());
            events.warning(resource, problem.reason(), problem.message());
        }
    }

    /** What a kind says when it pauses, resumes or recovers from a stall. */
    record TransitionMessages(String paused, String resumed, String recovered) {
    }

    /** Which way a reconcile moved a resource's state, for the caller's own Events. */
    enum Transition { NONE, PAUSED, RESUMED }

    /**
     * Events for the changes a user acts on: paused (also when created paused), resumed, and recovered from a
     * stall. Nothing while the state stays; the stored status is the memory of what was last said.
     */
    static <S extends ConditionedStatus, R extends CustomResource<?, S>> Transition announceTransitions(
            R resource, S status, TransitionMessages messages, EventRecorder events) {
        S previous = resource.getStatus();
        if (previous != null && Conditions.isTrue(previous.conditions(), ConditionType.Stalled)
                && !Conditions.isTrue(status.conditions(), ConditionType.Stalled)) {
            events.normal(resource, "Recovered", messages.recovered());
        }
        boolean wasPaused = previous != null && previous.paused();
        if (!wasPaused && status.paused()) {
            events.normal(resource, "Paused", messages.paused());
            return Transition.PAUSED;
        }
        if (wasPaused && !status.paused()) {
            events.normal(resource, "Resumed", messages.resumed());
            return Transition.RESUMED;
        }
        return Transition.NONE;
    }

    private static boolean alreadyReported(CustomResource<?, ? extends ConditionedStatus> resource, ConditionType type,
                                           String message) {
        ConditionedStatus previous = resource.getStatus();
        return previous != null && Conditions.find(previous.conditions(), type)
                .filter(c -> "True".equals(c.getStatus()) && message.equals(c.getMessage())).isPresent();
    }
}
