package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.OperatorSettings;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineStatus;
import dev.orderpipeline.operator.dependent.LoaderConfigMapDependent;
import dev.orderpipeline.operator.dependent.LoaderDeploymentDependent;
import dev.orderpipeline.operator.scaling.LoaderReplicas;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import dev.orderpipeline.operator.status.LoaderStatusComposer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowBuilder;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an OrderPipeline into a ConfigMap and a loader Deployment, and reports what it sees.
 *
 * <p>The workflow is built here rather than declared with {@code @Workflow}: the Deployment needs the
 * operator's runtime image, and the workflow must not run at all while the spec is invalid (a
 * managed workflow runs before {@link #reconcile}, and would roll pods onto a broken configuration).
 */
@ControllerConfiguration(name = OrderPipelineReconciler.NAME)
public class OrderPipelineReconciler implements Reconciler<OrderPipeline> {
    public static final String NAME = "orderpipeline";
    private static final Logger LOG = LoggerFactory.getLogger(OrderPipelineReconciler.class);

    private final OperatorSettings settings;
    private final Clock clock;
    private final LoaderStatusComposer statusComposer;
    private final Workflow<OrderPipeline> workflow;

    public OrderPipelineReconciler(OperatorSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.statusComposer = new LoaderStatusComposer(clock);
        LoaderConfigMapDependent configMap = new LoaderConfigMapDependent();
        LoaderDeploymentDependent deployment = new LoaderDeploymentDependent(settings.runtimeImage());
        this.workflow = new WorkflowBuilder<OrderPipeline>()
                .addDependentResource(configMap)
                .addDependentResourceAndConfigure(deployment).dependsOn(configMap)
                .build();
    }

    @Override
    public List<EventSource<?, OrderPipeline>> prepareEventSources(EventSourceContext<OrderPipeline> context) {
        return EventSourceUtils.eventSourcesFromWorkflow(context, workflow);
    }

    @Override
    public UpdateControl<OrderPipeline> reconcile(OrderPipeline pipeline, Context<OrderPipeline> context) {
        EventRecorder events = new EventRecorder(context.getClient(), clock);
        Optional<SpecProblem> problem = SpecValidator.validate(pipeline.getSpec())
                .or(() -> new SecretReferenceChecker(context.getClient())
                        .firstProblem(pipeline.getMetadata().getNamespace(), SecretReferences.byField(pipeline.getSpec())));
        if (problem.isPresent()) {
            // Leave the running loaders alone: they still work with the last valid configuration.
            OrderPipelineStatus status = statusComposer.stalled(pipeline, problem.get(),
                    context.getSecondaryResource(Deployment.class));
            announceStall(pipeline, status, problem.get(), events);
            return writeIfChanged(pipeline, status).rescheduleAfter(settings.stalledRecheck());
        }
        workflow.reconcile(pipeline, context);
        int desired = LoaderReplicas.desired(pipeline.getSpec());
        OrderPipelineStatus status = statusComposer.reconciled(pipeline, desired,
                context.getSecondaryResource(Deployment.class));
        announceTransitions(pipeline, status, events);
        return writeIfChanged(pipeline, status);
    }

    /** Writes the status only when it differs, so a steady pipeline causes no API writes (no GitOps churn). */
    private static UpdateControl<OrderPipeline> writeIfChanged(OrderPipeline pipeline, OrderPipelineStatus status) {
        if (Objects.equals(pipeline.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        pipeline.setStatus(status);
        return UpdateControl.patchStatus(pipeline);
    }

    private static void announceStall(OrderPipeline pipeline, OrderPipelineStatus status, SpecProblem problem,
                                      EventRecorder events) {
        OrderPipelineStatus previous = pipeline.getStatus();
        boolean alreadyReported = previous != null
                && Conditions.find(previous.conditions(), ConditionType.Stalled)
                .filter(c -> "True".equals(c.getStatus()) && problem.message().equals(c.getMessage()))
                .isPresent();
        if (!alreadyReported) {
            LOG.warn("{}/{} stalled: {}", pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(),
                    problem.message());
            events.warning(pipeline, problem.reason(), problem.message());
        }
    }

    private static void announceTransitions(OrderPipeline pipeline, OrderPipelineStatus status, EventRecorder events) {
        OrderPipelineStatus previous = pipeline.getStatus();
        if (previous == null) {
            return;
        }
        if (Conditions.isTrue(previous.conditions(), ConditionType.Stalled)) {
            events.normal(pipeline, "Recovered", "The spec and its Secrets are valid again; loaders reconciled.");
        }
        boolean wasPaused = OrderPipelineStatus.Phase.Paused.name().equals(previous.phase());
        boolean isPaused = OrderPipelineStatus.Phase.Paused.name().equals(status.phase());
        if (!wasPaused && isPaused) {
            events.normal(pipeline, "Paused", "spec.state is paused: loaders scaled to zero, offsets kept.");
        } else if (wasPaused && !isPaused) {
            events.normal(pipeline, "Resumed", "spec.state is running: " + status.desiredReplicas() + " loader(s) requested.");
        } else if (previous.desiredReplicas() != null && !previous.desiredReplicas().equals(status.desiredReplicas())) {
            events.normal(pipeline, "Scaled", "Loaders scaled from " + previous.desiredReplicas() + " to "
                    + status.desiredReplicas() + ".");
        }
    }
}
