package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.CdcSyncStatus;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.config.OperatorSettings;
import dev.orderpipeline.operator.dependent.ReplicatorConfigMapDependent;
import dev.orderpipeline.operator.dependent.ReplicatorDeploymentDependent;
import dev.orderpipeline.operator.dependent.ReplicatorDisruptionBudgetDependent;
import dev.orderpipeline.operator.dependent.ReplicatorResources;
import dev.orderpipeline.operator.dependent.SecretVersions;
import dev.orderpipeline.operator.dependent.WorkloadSecrets;
import dev.orderpipeline.operator.status.CdcStatusComposer;
import dev.orderpipeline.operator.status.EventRecorder;
import dev.orderpipeline.operator.status.ReconcileFailure;
import dev.orderpipeline.operator.status.RuntimeStatusReader;
import dev.orderpipeline.operator.status.SpecProblem;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a CdcSync into a ConfigMap and a single-replica replicator Deployment (strategy Recreate), and
 * reports what it sees. Like {@link OrderPipelineReconciler}, the workflow runs only for a valid spec, so
 * a broken edit leaves the running replicator alone.
 *
 * <p>A pipelineRef is resolved on every reconcile; the CdcSync is reconciled again every
 * {@code sourcePollInterval}, which picks up changes of the referenced OrderPipeline's sink without
 * watching every OrderPipeline from this controller, and reads the replicator's {@code /status} (at most
 * once per {@code runtimeStatusInterval}, so its changing figures cause at most one write per interval).
 */
@ControllerConfiguration(name = CdcSyncReconciler.NAME)
public class CdcSyncReconciler implements Reconciler<CdcSync> {
    public static final String NAME = "cdcsync";
    /** Event reason: a new CdcSync went on from a state row a previous sync of its name left. */
    public static final String RESUMING_STORED_STATE = "ResumingStoredState";
    private static final Logger LOG = LoggerFactory.getLogger(CdcSyncReconciler.class);
    private static final StatusWrites.TransitionMessages TRANSITIONS = new StatusWrites.TransitionMessages(
            "spec.state is paused: the replicator is stopped, its watermark kept.",
            "spec.state is running: the replicator starts again from its watermark.",
            "The spec and its Secrets are valid again; replicator reconciled.");

    private final OperatorSettings settings;
    private final Clock clock;
    private final CdcStatusComposer statusComposer;
    private final Workflow<CdcSync> workflow;
    private final Set<ResourceID> announcedResume = ConcurrentHashMap.newKeySet();
    private final RuntimeStatusReader<RuntimeStatusReader.ReplicatorSnapshot,
            Optional<RuntimeStatusReader.ReplicatorSnapshot>> runtimeStatus;

    public CdcSyncReconciler(OperatorSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.statusComposer = new CdcStatusComposer(clock);
        this.runtimeStatus = new RuntimeStatusReader<>(RuntimeStatusReader.ReplicatorSnapshot.class,
                RuntimeStatusReader::replicator, clock, settings.runtimeStatusPort(), settings.runtimeStatusInterval(),
                settings.httpTimeout());
        ReplicatorConfigMapDependent configMap = new ReplicatorConfigMapDependent();
        ReplicatorDeploymentDependent deployment = new ReplicatorDeploymentDependent(settings.runtimeImage());
        this.workflow = new WorkflowBuilder<CdcSync>()
                .addDependentResource(configMap)
                .addDependentResourceAndConfigure(deployment).dependsOn(configMap)
                .addDependentResource(new ReplicatorDisruptionBudgetDependent())
                .build();
    }

    @Override
    public List<EventSource<?, CdcSync>> prepareEventSources(EventSourceContext<CdcSync> context) {
        List<EventSource<?, CdcSync>> sources = new ArrayList<>(EventSourceUtils.eventSourcesFromWorkflow(context, workflow));
        sources.add(new DeletionListener<>("cdcsync-deletions", deleted -> {
            ResourceID id = ResourceID.fromResource(deleted);
            runtimeStatus.forget(id);
            announcedResume.remove(id);
        }));
        return sources;
    }

    @Override
    public UpdateControl<CdcSync> reconcile(CdcSync sync, Context<CdcSync> context) {
        EventRecorder events = new EventRecorder(context.getClient(), clock);
        String namespace = sync.getMetadata().getNamespace();
        Optional<SpecProblem> problem = CdcSyncValidator.validate(sync.getSpec());
        Optional<OrderPipeline> referenced = Optional.empty();
        if (problem.isEmpty() && sync.getSpec().source().pipelineRef() != null) {
            referenced = Optional.ofNullable(context.getClient().resources(OrderPipeline.class).inNamespace(namespace)
                    .withName(sync.getSpec().source().pipelineRef().name()).get());
            problem = CdcSyncValidator.validateReference(sync.getSpec(), namespace, referenced);
        }
        if (problem.isEmpty()) {
            SecretReferenceChecker.Result secrets = new SecretReferenceChecker(context.getClient())
                    .check(namespace, WorkloadSecrets.byField(WorkloadSecrets.replicator(sync.getSpec(), referenced)));
            problem = secrets.problem();
            SecretVersions.put(context, secrets.versions());
        }
        if (problem.isPresent()) {
            // Leave a running replicator alone (it works with the last valid configuration), unless the user paused
            // the sync: pausing must stop it even when the spec or a Secret is broken, as for an OrderPipeline.
            if (sync.getSpec() != null && sync.getSpec().state() == PipelineState.PAUSED) {
                PausedWorkloads.scaleToZero(context);
            }
            CdcSyncStatus status = statusComposer.stalled(sync, problem.get());
            StatusWrites.announceStall(sync, problem.get(), events);
            return StatusWrites.ifChanged(sync, status).rescheduleAfter(settings.stalledRecheck());
        }
        referenced.ifPresent(p -> context.managedWorkflowAndDependentResourceContext()
                .put(ReplicatorResources.REFERENCED_PIPELINE_KEY, p));
        workflow.reconcile(sync, context);
        RuntimeStatusReader.Observation<Optional<RuntimeStatusReader.ReplicatorSnapshot>> pods = runtimeStatus.read(
                ResourceID.fromResource(sync), context.getClient(), namespace, ReplicatorResources.selectorLabels(sync));
        CdcSyncStatus status = statusComposer.reconciled(sync, context.getSecondaryResource(Deployment.class),
                pods.reading(), pods.trouble());
        StatusWrites.announceTransitions(sync, status, TRANSITIONS, events);
        announceResumedState(sync, pods.reading(), events);
        // Looked at again periodically: the replicator's /status, and a referenced OrderPipeline's sink.
        return StatusWrites.ifChanged(sync, status).rescheduleAfter(settings.sourcePollInterval());
    }

    /** A reconcile threw: see {@link StatusWrites#failed}. */
    @Override
    public ErrorStatusUpdateControl<CdcSync> updateErrorStatus(CdcSync sync, Context<CdcSync> context, Exception e) {
        ReconcileFailure failure = ReconcileFailure.of(e);
        return StatusWrites.failed(sync, statusComposer.failed(sync, failure), failure,
                new EventRecorder(context.getClient(), clock), settings.stalledRecheck());
    }

    /**
     * A CdcSync whose replicator, at the operator's first reading of it, resumed a state row that already
     * existed was very likely deleted and re-created under the same name: it goes on from the stored watermark
     * and does not copy the table again. That is exactly-once, but a surprise when a fresh copy was meant: say
     * so once, with how to start over.
     */
    private void announceResumedState(CdcSync sync, Optional<RuntimeStatusReader.ReplicatorSnapshot> reading,
                                      EventRecorder events) {
        CdcSyncStatus previous = sync.getStatus();
        boolean firstReading = previous == null || (previous.lastSyncTime() == null && previous.rowsUpserted() == null);
        String resumedFrom = reading.map(RuntimeStatusReader.ReplicatorSnapshot::resumedFrom).orElse(null);
        // Remembered here too: a second reconcile may see a cached copy from before the first status write.
        if (!firstReading || resumedFrom == null || !announcedResume.add(ResourceID.fromResource(sync))) {
            return;
        }
        String message = "The replicator resumed the stored state of a sync named '" + sync.getMetadata().getName()
                + "' (watermark " + resumedFrom + "): a CdcSync of this name ran before in this schema. It applies "
                + "changes after that watermark and does not copy the table again. To start over, delete its row in "
                + "orderpipeline_cdc_state (and the target table), or use another name.";
        LOG.warn("event=resuming_stored_state kind=CdcSync namespace={} name={}", sync.getMetadata().getNamespace(),
                sync.getMetadata().getName());
        events.warning(sync, RESUMING_STORED_STATE, message);
    }
}
