package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.CdcSyncStatus;
import dev.orderpipeline.operator.api.OrderPipeline;
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
    private static final StatusWrites.TransitionMessages TRANSITIONS = new StatusWrites.TransitionMessages(
            "spec.state is paused: the replicator is stopped, its watermark kept.",
            "spec.state is running: the replicator starts again from its watermark.",
            "The spec and its Secrets are valid again; replicator reconciled.");

    private final OperatorSettings settings;
    private final Clock clock;
    private final CdcStatusComposer statusComposer;
    private final Workflow<CdcSync> workflow;
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
        sources.add(new DeletionListener<>("cdcsync-deletions", runtimeStatus::forget));
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
}
