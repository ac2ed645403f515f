package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineStatus;
import dev.orderpipeline.operator.config.OperatorSettings;
import dev.orderpipeline.operator.dbt.DbtRuns;
import dev.orderpipeline.operator.dependent.DbtCronJobDependent;
import dev.orderpipeline.operator.dependent.DbtJobDependent;
import dev.orderpipeline.operator.dependent.LoaderConfigMapDependent;
import dev.orderpipeline.operator.dependent.LoaderDeploymentDependent;
import dev.orderpipeline.operator.dependent.LoaderDisruptionBudgetDependent;
import dev.orderpipeline.operator.dependent.LoaderResources;
import dev.orderpipeline.operator.dependent.SecretVersions;
import dev.orderpipeline.operator.dependent.WorkloadSecrets;
import dev.orderpipeline.operator.metrics.OperatorMetrics;
import dev.orderpipeline.operator.scaling.LoaderReplicas;
import dev.orderpipeline.operator.scaling.LoaderScaler;
import dev.orderpipeline.operator.scaling.ScalingDecision;
import dev.orderpipeline.operator.scaling.SourceProbes;
import dev.orderpipeline.operator.scaling.SourceReading;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import dev.orderpipeline.operator.status.EventRecorder;
import dev.orderpipeline.operator.status.LoaderStatusComposer;
import dev.orderpipeline.operator.status.ReconcileFailure;
import dev.orderpipeline.operator.status.RuntimeReading;
import dev.orderpipeline.operator.status.RuntimeStatusReader;
import dev.orderpipeline.operator.status.SpecProblem;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
public class OrderPipelineReconciler implements Reconciler<OrderPipeline>, AutoCloseable {
    public static final String NAME = "orderpipeline";
    /** Event reason: a new pipeline resumes from offsets a pipeline of the same name stored (group or warehouse). */
    public static final String RESUMING_STORED_OFFSETS = "ResumingStoredOffsets";
    private static final Logger LOG = LoggerFactory.getLogger(OrderPipelineReconciler.class);

    private final OperatorSettings settings;
    private final Clock clock;
    private final LoaderStatusComposer statusComposer;
    private final Workflow<OrderPipeline> workflow;
    private final SourceProbes sourceProbes;
    private final LoaderScaler scaler;
    private final RuntimeStatusReader<RuntimeStatusReader.LoaderSnapshot, RuntimeReading> runtimeStatus;
    /** The SourceReachable state last announced with an Event, per pipeline. */
    private final Map<ResourceID, String> announcedSource = new ConcurrentHashMap<>();
    /** The SchemaRegistryAvailable state last announced with an Event, per pipeline (see {@link #announceSchemaRegistry}). */
    private final Map<ResourceID, String> announcedRegistry = new ConcurrentHashMap<>();
    /** Pipelines already told that they resume from offsets stored before they were created. */
    private final java.util.Set<ResourceID> announcedResume = ConcurrentHashMap.newKeySet();

    /** dbt runs: the CronJob and one-shot Jobs, and their results in the status. */
    private final DbtRuns dbtRuns;
    private final OperatorMetrics metrics;

    public OrderPipelineReconciler(OperatorSettings settings, Clock clock) {
        this(settings, clock, new SimpleMeterRegistry());
    }

    /** With the operator's meter registry, where the per-pipeline meters of {@link OperatorMetrics} go. */
    public OrderPipelineReconciler(OperatorSettings settings, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.metrics = new OperatorMetrics(registry);
        this.dbtRuns = new DbtRuns(clock, metrics);
        this.clock = clock;
        this.statusComposer = new LoaderStatusComposer(clock);
        this.sourceProbes = new SourceProbes(clock, settings.sourcePollInterval(), settings.kafkaTimeout());
        this.scaler = new LoaderScaler(clock);
        this.runtimeStatus = new RuntimeStatusReader<>(RuntimeStatusReader.LoaderSnapshot.class,
                RuntimeStatusReader::loaders, clock, settings.runtimeStatusPort(), settings.runtimeStatusInterval(),
                settings.httpTimeout());
        LoaderConfigMapDependent configMap = new LoaderConfigMapDependent();
        LoaderDeploymentDependent deployment = new LoaderDeploymentDependent(settings.runtimeImage());
        this.workflow = new WorkflowBuilder<OrderPipeline>()
                .addDependentResource(configMap)
                .addDependentResourceAndConfigure(deployment).dependsOn(configMap)
                .addDependentResource(new LoaderDisruptionBudgetDependent())
                .addDependentResourceAndConfigure(new DbtCronJobDependent())
                .withReconcilePrecondition(DbtCronJobDependent.SCHEDULED)
                .addDependentResourceAndConfigure(new DbtJobDependent())
                .withReconcilePrecondition(DbtJobDependent.REQUESTED)
                .build();
    }

    @Override
    public List<EventSource<?, OrderPipeline>> prepareEventSources(EventSourceContext<OrderPipeline> context) {
        List<EventSource<?, OrderPipeline>> sources = new ArrayList<>(EventSourceUtils.eventSourcesFromWorkflow(context, workflow));
        sources.add(new DeletionListener<>("orderpipeline-deletions", this::forget));
        return sources;
    }

    /** Releases what the operator holds for a deleted pipeline: its Kafka client and its scaling history. */
    private void forget(OrderPipeline deleted) {
        ResourceID id = ResourceID.fromResource(deleted);
        sourceProbes.forget(id, deleted.getMetadata().getUid());
        scaler.forget(id);
        runtimeStatus.forget(id);
        statusComposer.forget(id);
        dbtRuns.forget(id);
        metrics.forget(id);
        announcedSource.remove(id);
        announcedRegistry.remove(id);
        announcedResume.remove(id);
        LOG.debug("event=released kind=OrderPipeline namespace={} name={}", id.getNamespace().orElse(""), id.getName());
    }

    /** The operator's own per-pipeline meters. */
    public OperatorMetrics metrics() {
        return metrics;
    }

    /** Kafka clients currently open: one per cluster, security settings and credentials, shared by pipelines. */
    public int openKafkaClients() {
        return sourceProbes.openClients();
    }

    /** Kafka clients opened since start (a rotated credential opens a new one). */
    public long kafkaClientsOpened() {
        return sourceProbes.clientsOpened();
    }

    @Override
    public void close() {
        sourceProbes.close();
    }

    @Override
    public UpdateControl<OrderPipeline> reconcile(OrderPipeline pipeline, Context<OrderPipeline> context) {
        EventRecorder events = new EventRecorder(context.getClient(), clock);
        Optional<SpecProblem> problem = SpecValidator.validate(pipeline.getSpec());
        Map<String, String> secretVersions = Map.of();
        if (problem.isEmpty()) {
            SecretReferenceChecker.Result secrets = new SecretReferenceChecker(context.getClient()).check(
                    pipeline.getMetadata().getNamespace(), WorkloadSecrets.byField(WorkloadSecrets.pipeline(pipeline.getSpec())));
            problem = secrets.problem();
            secretVersions = secrets.versions();
            SecretVersions.put(context, secretVersions);
        }
        if (problem.isPresent()) {
            // Leave the running loaders alone: they still work with the last valid configuration. Unless the user
            // paused the pipeline: pausing must stop loaders even when the spec or a Secret is broken (crash loops).
            if (pipeline.getSpec() != null && pipeline.getSpec().paused()) {
                PausedWorkloads.scaleToZero(context);
                suspendDbtSchedule(context);
            }
            OrderPipelineStatus status = statusComposer.stalled(pipeline, problem.get(),
                    context.getSecondaryResource(Deployment.class));
            status = dbtRuns.carryOver(pipeline, status);
            StatusWrites.announceStall(pipeline, problem.get(), events);
            return StatusWrites.ifChanged(pipeline, status).rescheduleAfter(settings.stalledRecheck());
        }
        SourceReading source = sourceProbes.read(pipeline, context.getClient(), secretVersions);
        ScalingDecision scaling = scaler.decide(pipeline, source);
        context.managedWorkflowAndDependentResourceContext().put(LoaderReplicas.CONTEXT_KEY, scaling.replicas());
        workflow.reconcile(pipeline, context);
        RuntimeStatusReader.Observation<RuntimeReading> pods = runtimeStatus.read(ResourceID.fromResource(pipeline),
                context.getClient(), pipeline.getMetadata().getNamespace(), LoaderResources.selectorLabels(pipeline));
        OrderPipelineStatus status = statusComposer.reconciled(pipeline, scaling.replicas(),
                context.getSecondaryResource(Deployment.class), source, pods.reading(), pods.trouble());
        status = dbtRuns.observe(pipeline, status, context, events);
        metrics.observed(pipeline, status);
        announceTransitions(pipeline, status, scaling, events);
        announceSource(pipeline, source, events);
        announceSchemaRegistry(pipeline, status, events);
        announceResumedGroup(pipeline, source, events);
        announceResumedOffsets(pipeline, pods.reading(), events);
        // Look again when the next reading is due, or when a pending scale-down falls due.
        Duration next = settings.sourcePollInterval();
        if (scaling.recheckIn().isPresent() && scaling.recheckIn().get().compareTo(next) < 0) {
            next = scaling.recheckIn().get().plusMillis(10);
        }
        return StatusWrites.ifChanged(pipeline, status).rescheduleAfter(next);
    }

    /**
     * An Event when the source becomes unreachable or reachable again; nothing while it stays so. The last
     * announced state is remembered here as well as read from the status, so that a reconcile of a stale cached
     * copy of the resource does not announce the same state twice.
     */
    private void announceSource(OrderPipeline pipeline, SourceReading source, EventRecorder events) {
        String state = source.reachable() ? "Reachable" : source.reason();
        String before = announcedSource.put(ResourceID.fromResource(pipeline), state);
        if (state.equals(before)) {
            return;
        }
        OrderPipelineStatus previous = pipeline.getStatus();
        Optional<io.fabric8.kubernetes.api.model.Condition> condition = previous == null ? Optional.empty()
                : Conditions.find(previous.conditions(), ConditionType.SourceReachable);
        String reported = condition.map(c -> "True".equals(c.getStatus()) ? "Reachable" : c.getReason()).orElse(null);
        if (state.equals(reported)) {
            return;
        }
        if (!source.reachable()) {
            LOG.warn("event=source_unreachable kind=OrderPipeline namespace={} name={} reason={} message=\"{}\"",
                    pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), source.reason(),
                    source.message());
            events.warning(pipeline, source.reason(), source.message());
        } else if (reported != null) {
            events.normal(pipeline, "SourceReachable", source.message());
        }
    }

    /**
     * A Warning Event when the loaders' Schema Registry is reported unavailable, once per outage (an outage is
     * one run of SchemaRegistryAvailable False: its lastTransitionTime names it), and a Normal one when it
     * answers again. Remembered here as well as read from the stored status, as in {@link #announceSource}.
     */
    private void announceSchemaRegistry(OrderPipeline pipeline, OrderPipelineStatus status, EventRecorder events) {
        Optional<io.fabric8.kubernetes.api.model.Condition> now = Conditions.find(status.conditions(),
                ConditionType.SchemaRegistryAvailable);
        if (now.isEmpty()) {
            return;
        }
        String state = registryState(now.get());
        String before = announcedRegistry.put(ResourceID.fromResource(pipeline), state);
        if (state.equals(before)) {
            return;
        }
        Optional<io.fabric8.kubernetes.api.model.Condition> stored = pipeline.getStatus() == null ? Optional.empty()
                : Conditions.find(pipeline.getStatus().conditions(), ConditionType.SchemaRegistryAvailable);
        String reported = stored.map(OrderPipelineReconciler::registryState).orElse(null);
        if (state.equals(reported)) {
            return;
        }
        if ("False".equals(now.get().getStatus())) {
            LOG.warn("event=schema_registry_unavailable kind=OrderPipeline namespace={} name={} message=\"{}\"",
                    pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), now.get().getMessage());
            events.warning(pipeline, now.get().getReason(), now.get().getMessage());
        } else if (reported != null && !reported.equals("True")) {
            events.normal(pipeline, "SchemaRegistryAvailable", now.get().getMessage() + " Loading goes on.");
        }
    }

    private static String registryState(io.fabric8.kubernetes.api.model.Condition condition) {
        return "True".equals(condition.getStatus()) ? "True" : "False@" + condition.getLastTransitionTime();
    }

    /**
     * A pipeline seen by Kafka for the first time whose consumer group already has offsets was very likely
     * deleted and re-created under the same name (or shares a group): its loaders resume from the offsets
     * stored with the warehouse, not from the topic's start. That is exactly-once, but a surprise when a
     * reload was meant: say so once, with how to start over.
     */
    private void announceResumedGroup(OrderPipeline pipeline, SourceReading source, EventRecorder events) {
        OrderPipelineStatus previous = pipeline.getStatus();
        boolean firstReading = previous == null || Conditions.find(previous.conditions(), ConditionType.SourceReachable)
                .map(c -> !"True".equals(c.getStatus()) && previous.recordsLoaded() == null).orElse(true);
        // Remembered here too: a second reconcile may see a cached copy from before the first status write.
        if (!firstReading || !source.reachable() || source.committedPartitions() == 0
                || !announcedResume.add(ResourceID.fromResource(pipeline))) {
            return;
        }
        String group = pipeline.consumerGroup();
        String message = "Consumer group '" + group + "' already has offsets for " + source.committedPartitions() + " of "
                + source.partitions() + " partitions of '" + pipeline.getSpec().source().topic() + "': a pipeline of this "
                + "name ran before (or shares the group). The loaders resume from the offsets stored with the warehouse "
                + "under '" + pipeline.pipelineName() + "' and do not reload the topic. To start over, "
                + "delete that pipeline's row in ORDERPIPELINE_OFFSETS and the consumer group, or use another name.";
        LOG.warn("event=resuming_stored_offsets kind=OrderPipeline namespace={} name={} group={}",
                pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), group);
        events.warning(pipeline, RESUMING_STORED_OFFSETS, message);
    }

    /**
     * The same surprise when the group says nothing (deleted with the old pipeline, or its offsets expired after
     * Kafka's offsets.retention.minutes) but the warehouse's ORDERPIPELINE_OFFSETS row was kept: the loaders of a
     * pipeline that has never reported a commit take their positions from that row before loading anything.
     */
    private void announceResumedOffsets(OrderPipeline pipeline, RuntimeReading pods, EventRecorder events) {
        OrderPipelineStatus previous = pipeline.getStatus();
        boolean neverCommitted = previous == null
                || previous.lastCommitTime() == null && (previous.recordsLoaded() == null || previous.recordsLoaded() == 0);
        if (!neverCommitted || pods.partitionsResumedFromStoredOffsets() == 0
                || !announcedResume.add(ResourceID.fromResource(pipeline))) {
            return;
        }
        String message = "The loaders took their positions in " + pods.partitionsResumedFromStoredOffsets()
                + " partition(s) of '" + pipeline.getSpec().source().topic() + "' from offsets stored with the warehouse "
                + "under '" + pipeline.pipelineName() + "' (ORDERPIPELINE_OFFSETS) before loading anything: a pipeline of "
                + "this name ran before. They do not reload the topic. To start over, delete that pipeline's rows in "
                + "ORDERPIPELINE_OFFSETS and the consumer group '" + pipeline.consumerGroup() + "', or use another name.";
        LOG.warn("event=resuming_stored_offsets kind=OrderPipeline namespace={} name={} source=warehouse",
                pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName());
        events.warning(pipeline, RESUMING_STORED_OFFSETS, message);
    }

    /** The workflow that would suspend the CronJob does not run for a stalled pipeline; pausing must still stop it. */
    private static void suspendDbtSchedule(Context<OrderPipeline> context) {
        context.getSecondaryResource(CronJob.class)
                .filter(c -> c.getSpec() != null && !Boolean.TRUE.equals(c.getSpec().getSuspend()))
                .ifPresent(c -> context.getClient().batch().v1().cronjobs().inNamespace(c.getMetadata().getNamespace())
                        .withName(c.getMetadata().getName())
                        .edit(cron -> {
                            cron.getSpec().setSuspend(true);
                            return cron;
                        }));
    }

    /** A reconcile threw: see {@link StatusWrites#failed}. */
    @Override
    public ErrorStatusUpdateControl<OrderPipeline> updateErrorStatus(OrderPipeline pipeline, Context<OrderPipeline> context,
                                                                     Exception e) {
        ReconcileFailure failure = ReconcileFailure.of(e);
        OrderPipelineStatus status = dbtRuns.carryOver(pipeline, statusComposer.failed(pipeline, failure,
                context.getSecondaryResource(Deployment.class)));
        return StatusWrites.failed(pipeline, status, failure, new EventRecorder(context.getClient(), clock),
                settings.stalledRecheck());
    }

    private static void announceTransitions(OrderPipeline pipeline, OrderPipelineStatus status, ScalingDecision scaling,
                                            EventRecorder events) {
        StatusWrites.TransitionMessages messages = new StatusWrites.TransitionMessages(
                "spec.state is paused: loaders scaled to zero, offsets kept.",
                "spec.state is running: " + status.desiredReplicas() + " loader(s) requested.",
                "The spec and its Secrets are valid again; loaders reconciled.");
        OrderPipelineStatus previous = pipeline.getStatus();
        if (StatusWrites.announceTransitions(pipeline, status, messages, events) == StatusWrites.Transition.NONE
                && previous != null && previous.desiredReplicas() != null
                && !previous.desiredReplicas().equals(status.desiredReplicas())) {
            LOG.info("event=scaled kind=OrderPipeline namespace={} name={} from={} to={} why=\"{}\"",
                    pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), previous.desiredReplicas(),
                    status.desiredReplicas(), scaling.why());
            events.normal(pipeline, "Scaled", "Loaders scaled from " + previous.desiredReplicas() + " to "
                    + status.desiredReplicas() + " (" + scaling.why() + ").");
        }
    }
}
