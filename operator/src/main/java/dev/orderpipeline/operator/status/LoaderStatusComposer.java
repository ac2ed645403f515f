package dev.orderpipeline.operator.status;

import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineStatus.Phase;
import dev.orderpipeline.operator.api.OrderPipelineStatus;
import dev.orderpipeline.operator.dependent.LoaderResources;
import dev.orderpipeline.operator.scaling.SourceReading;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds an OrderPipeline's status afresh from what was observed (the loader Deployment, or the
 * problem that stops the operator), carrying over only the condition transition times.
 */
public final class LoaderStatusComposer {
    /**
     * How long a warehouse commit may run before SinkWriting turns False: long enough for a slow MERGE
     * or a warehouse resuming from suspension, which pause the partitions briefly (backpressure).
     */
    static final Duration SINK_STALL = Duration.ofMinutes(2);

    private final Clock clock;
    private final LoadedRecordsTally loaded = new LoadedRecordsTally();

    public LoaderStatusComposer(Clock clock) {
        this.clock = clock;
    }

    /** Drops what is remembered of a deleted pipeline's pods. */
    public void forget(ResourceID id) {
        loaded.forget(id);
    }

    /** The status of a pipeline whose workloads were reconciled to the spec. */
    public OrderPipelineStatus reconciled(OrderPipeline pipeline, int desiredReplicas, Optional<Deployment> deployment,
                                          SourceReading source, RuntimeReading runtime,
                                          Optional<WorkloadTrouble> podTrouble) {
        long generation = generation(pipeline);
        int replicas = deployment.map(Deployment::getStatus).map(DeploymentStatus::getReplicas).orElse(0);
        int ready = deployment.map(Deployment::getStatus).map(DeploymentStatus::getReadyReplicas).orElse(0);
        Optional<WorkloadTrouble> trouble = podTrouble.or(() -> WorkloadTrouble.ofDeployment(deployment));
        Conditions conditions = new Conditions(previousConditions(pipeline), generation, clock);
        Phase phase;
        if (pipeline.getSpec().paused()) {
            phase = Phase.Paused;
            String paused = "spec.state is paused: loaders are scaled to zero; set spec.state to running to resume.";
            conditions.set(ConditionType.Ready, false, "Paused", paused)
                    .set(ConditionType.Reconciling, replicas > 0, "Paused",
                            replicas > 0 ? "Stopping " + replicas + " loader(s)." : "No loader runs.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        } else if (trouble.isPresent()) {
            // Retrying kubelets and controllers look like a rollout in progress forever; say what fails instead.
            phase = Phase.Degraded;
            conditions.set(ConditionType.Ready, false, trouble.get().reason(), trouble.get().message())
                    .set(ConditionType.Reconciling, false, trouble.get().reason(),
                            "Kubernetes retries, but the loaders will not run until the cause is fixed.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        } else if (rolledOut(deployment, desiredReplicas)) {
            phase = Phase.Running;
            conditions.set(ConditionType.Ready, true, "LoadersReady", ready + " of " + desiredReplicas + " loader(s) ready.")
                    .set(ConditionType.Reconciling, false, "RolloutComplete", "The loaders run the current spec.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        } else if (scalingOnCurrentSpec(deployment) && ready > 0) {
            // Loaders being added or removed: the ones running are healthy and load, so the pipeline stays Ready.
            phase = Phase.Running;
            conditions.set(ConditionType.Ready, true, "LoadersReady", ready + " of " + desiredReplicas
                            + " loader(s) ready; scaling.")
                    .set(ConditionType.Reconciling, true, "Scaling", "Scaling the loaders from " + replicas + " to "
                            + desiredReplicas + ".")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        } else {
            phase = Phase.Pending;
            conditions.set(ConditionType.Ready, false, "LoadersNotReady", ready + " of " + desiredReplicas + " loader(s) ready.")
                    .set(ConditionType.Reconciling, true, "RollingOut", "Waiting for the loader Deployment to roll out.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        }
        setSourceReachable(conditions, source);
        setSinkWriting(conditions, pipeline, runtime);
        setOffsetsInRange(conditions, pipeline, runtime);
        setSchemaRegistryAvailable(conditions, pipeline, runtime);
        if (phase == Phase.Running || phase == Phase.Pending) {
            phase = degradedIfLoadingStopped(conditions, phase);
        }
        boolean known = source != null && source.reachable();
        // No pod answered (none ready, or all busy): keep what was last reported rather than blanking it.
        OrderPipelineStatus previous = pipeline.getStatus();
        boolean fresh = runtime != null && runtime.podsRead() > 0;
        Long recordsLoaded = loaded.total(ResourceID.fromResource(pipeline),
                previous == null ? null : previous.recordsLoaded(),
                fresh ? runtime.recordsLoadedByPod() : Map.of(), clock.instant());
        String lastCommit = fresh ? runtime.lastCommitTime() : previous == null ? null : previous.lastCommitTime();
        Long freshness = fresh ? runtime.freshnessSeconds() : previous == null ? null : previous.freshnessSeconds();
        // The partition count changes rarely; an unreachable Kafka keeps the last one (it caps manual replicas).
        Integer partitions = known ? source.partitions() : previous == null ? null : previous.partitions();
        return new OrderPipelineStatus(generation, phase.name(), conditions.build(), replicas, ready, desiredReplicas,
                LoaderResources.labelSelector(pipeline), partitions, known ? source.lag() : null,
                recordsLoaded, lastCommit, freshness, previous == null ? null : previous.dbt());
    }

    /** Every pod runs the current template; only the count differs (a scale-up or scale-down). */
    private static boolean scalingOnCurrentSpec(Optional<Deployment> deployment) {
        if (deployment.isEmpty() || deployment.get().getStatus() == null) {
            return false;
        }
        DeploymentStatus s = deployment.get().getStatus();
        return observedCurrentGeneration(deployment.get()) && zeroIfNull(s.getUpdatedReplicas()) == zeroIfNull(s.getReplicas());
    }

    /** The status of a pipeline the operator cannot act on; the workloads are reported as they are. */
    public OrderPipelineStatus stalled(OrderPipeline pipeline, SpecProblem problem, Optional<Deployment> deployment) {
        return blocked(pipeline, problem.reason(), problem.message(), true, deployment);
    }

    /**
     * The status of a pipeline whose children could not be applied: Stalled when the user must act
     * (the API server refused what the spec rendered), Reconciling while it is retried (an outage).
     */
    public OrderPipelineStatus failed(OrderPipeline pipeline, ReconcileFailure failure, Optional<Deployment> deployment) {
        return blocked(pipeline, failure.reason(), failure.message(), failure.needsUser(), deployment);
    }

    private OrderPipelineStatus blocked(OrderPipeline pipeline, String reason, String message, boolean needsUser,
                                        Optional<Deployment> deployment) {
        long generation = generation(pipeline);
        OrderPipelineStatus p = pipeline.getStatus();
        Conditions conditions = new Conditions(previousConditions(pipeline), generation, clock);
        if (needsUser) {
            conditions.set(ConditionType.Ready, false, reason, message)
                    .set(ConditionType.Reconciling, false, reason, "Waiting for the resource or its Secrets to be fixed.")
                    .set(ConditionType.Stalled, true, reason, message);
        } else {
            // The loaders keep running as they were; only the operator's own work is held up.
            boolean wasReady = p != null && Conditions.isTrue(p.conditions(), ConditionType.Ready);
            Optional<io.fabric8.kubernetes.api.model.Condition> ready = p == null ? Optional.empty()
                    : Conditions.find(p.conditions(), ConditionType.Ready);
            conditions.set(ConditionType.Ready, wasReady, ready.map(c -> c.getReason()).orElse(reason),
                            ready.map(c -> c.getMessage()).orElse(message))
                    .set(ConditionType.Reconciling, true, reason, message)
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        }
        // The loaders keep running on the last valid spec: what was last observed of them and of the topic stays.
        if (p != null) {
            for (ConditionType observed : java.util.List.of(ConditionType.SourceReachable, ConditionType.SinkWriting,
                    ConditionType.OffsetsInRange, ConditionType.SchemaRegistryAvailable)) {
                Conditions.find(p.conditions(), observed).ifPresent(c -> conditions.set(
                        observed, "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
            }
        }
        String phase = pipeline.getSpec() != null && pipeline.getSpec().paused() ? Phase.Paused.name()
                : needsUser ? Phase.Stalled.name() : p != null && p.phase() != null ? p.phase() : Phase.Pending.name();
        return new OrderPipelineStatus(generation, phase, conditions.build(),
                deployment.map(Deployment::getStatus).map(DeploymentStatus::getReplicas).orElse(0),
                deployment.map(Deployment::getStatus).map(DeploymentStatus::getReadyReplicas).orElse(0),
                p == null ? null : p.desiredReplicas(), LoaderResources.labelSelector(pipeline),
                p == null ? null : p.partitions(), p == null ? null : p.consumerLag(),
                p == null ? null : p.recordsLoaded(), p == null ? null : p.lastCommitTime(),
                p == null ? null : p.freshnessSeconds(), p == null ? null : p.dbt());
    }

    /** SourceReachable, kept out of Ready: a broker outage is the loaders' to ride out, not a broken rollout. */
    private static void setSourceReachable(Conditions conditions, SourceReading source) {
        if (source != null) {
            conditions.set(ConditionType.SourceReachable, source.reachable(), source.reason(), source.message());
        }
    }

    /**
     * From the pods' /status; when none answered this time, what was last known stays. A loader that
     * cannot commit says so at once in its /status; the condition turns False only once that has lasted
     * {@link #SINK_STALL}, so that a warehouse resuming or a lock held for seconds does not flap it.
     */
    private void setSinkWriting(Conditions conditions, OrderPipeline pipeline, RuntimeReading runtime) {
        if (keepPrevious(conditions, pipeline, runtime, ConditionType.SinkWriting)) {
            return;
        }
        String since = runtime.sinkStalledSince();
        RuntimeReading.Failing failing = runtime.failing();
        String deadLetters = runtime.deadLetterUnavailableSince();
        // A failing write is retried with its partitions paused, so it is also a stall: its error says more.
        if (failing != null && lastedAStall(failing.since())) {
            conditions.set(ConditionType.SinkWriting, false, "SinkFailing", "A loader's warehouse writes have failed "
                    + "since " + failing.since() + " and are retried with backoff; records wait in Kafka, none is skipped. "
                    + "Last error: " + abridged(failing.error()));
        } else if (lastedAStall(deadLetters)) {
            conditions.set(ConditionType.SinkWriting, false, "DeadLetterUnavailable", "A loader's dead-letter topic "
                    + "(spec.deadLetter.topic) has not taken records since " + deadLetters + ": the batches holding them "
                    + "wait and are re-sent, none is skipped. Check that the topic exists and the loaders may write to it.");
        } else if (lastedAStall(since)) {
            conditions.set(ConditionType.SinkWriting, false, "SinkStalled", "A loader has waited on the warehouse since "
                    + since + " without an answer (a commit that has not returned, or stored offsets not read: a locked "
                    + "table, a suspended warehouse, a hung connection?): its partitions are paused and records wait in "
                    + "Kafka. The loader's /status (state, waitingFor) and logs name the wait.");
        } else {
            conditions.set(ConditionType.SinkWriting, true, "Committing", "The loaders' warehouse commits return.");
        }
    }

    /**
     * Only for a pipeline whose records need a Schema Registry. From the pods' /status, with the grace of a sink
     * stall: a registry that answers again within seconds (a restart, a rolling upgrade) is not reported. The
     * message names the registry by host only (a URL may carry credentials; the loaders' error is scrubbed too).
     */
    private void setSchemaRegistryAvailable(Conditions conditions, OrderPipeline pipeline, RuntimeReading runtime) {
        if (!SchemaRegistryHost.used(pipeline.getSpec().source())
                || keepPrevious(conditions, pipeline, runtime, ConditionType.SchemaRegistryAvailable)) {
            return;
        }
        String host = SchemaRegistryHost.of(pipeline.getSpec().source());
        RuntimeReading.Failing unavailable = runtime.schemaRegistryUnavailable();
        if (unavailable != null && lastedAStall(unavailable.since())) {
            conditions.set(ConditionType.SchemaRegistryAvailable, false, "SchemaRegistryUnavailable", "A loader has not "
                    + "got schemas from the Schema Registry at " + host + " since " + unavailable.since() + ": loading "
                    + "waits, records wait in Kafka and are read again with backoff, none is skipped. Check that the "
                    + "registry is up and that spec.source.schemaRegistry (url, username, password, caCertificate) is "
                    + "right. Last error: " + abridged(SchemaRegistryHost.scrubbed(unavailable.error())));
        } else {
            conditions.set(ConditionType.SchemaRegistryAvailable, true, "Answering",
                    "The loaders' Schema Registry at " + host + " answers.");
        }
    }

    /**
     * Loading has stopped for longer than a stall takes to be called one (the registry does not answer, or the
     * warehouse does not take the batches): the phase says Degraded, as Argo CD does. Loaders that wait are not
     * ready, which would otherwise read as a rollout in progress forever: Ready and Reconciling then name the cause.
     */
    private static Phase degradedIfLoadingStopped(Conditions conditions, Phase phase) {
        Optional<io.fabric8.kubernetes.api.model.Condition> cause = conditions.get(ConditionType.SchemaRegistryAvailable)
                .filter(c -> "False".equals(c.getStatus()))
                .or(() -> conditions.get(ConditionType.SinkWriting).filter(c -> "False".equals(c.getStatus())));
        if (cause.isEmpty()) {
            return phase;
        }
        if (phase == Phase.Pending) {
            conditions.set(ConditionType.Ready, false, cause.get().getReason(), cause.get().getMessage())
                    .set(ConditionType.Reconciling, false, cause.get().getReason(),
                            "The loaders run the current spec; they wait on " + cause.get().getType() + ".");
        }
        return Phase.Degraded;
    }

    private void setOffsetsInRange(Conditions conditions, OrderPipeline pipeline, RuntimeReading runtime) {
        if (keepPrevious(conditions, pipeline, runtime, ConditionType.OffsetsInRange)) {
            return;
        }
        RuntimeReading.OutOfRange offsets = runtime.offsets();
        String topic = pipeline.getSpec().source().topic();
        if (!offsets.heldPartitions().isEmpty()) {
            conditions.set(ConditionType.OffsetsInRange, false, "OffsetOutOfRange", "Partitions "
                    + offsets.heldPartitions() + " of " + topic + " are not read: their stored offsets are outside the "
                    + "topic's retained log (retention removed records before they were loaded, or the topic was "
                    + "re-created), and spec.source.offsetReset is fail. To resume, set it to earliest (load what is "
                    + "retained) or latest (skip to the end). Last: " + offsets.lastReset());
        } else if (offsets.resets() > 0) {
            conditions.set(ConditionType.OffsetsInRange, false, "OffsetsReset", offsets.resets() + " out-of-range "
                    + "offset(s) of " + topic + " were reset by spec.source.offsetReset since the loaders started: records "
                    + "between the stored offset and the new position were skipped or are read again. Last: "
                    + offsets.lastReset());
        } else {
            conditions.set(ConditionType.OffsetsInRange, true, "InRange",
                    "Every partition reads on from the offset stored with the warehouse.");
        }
    }

    /** No pod answered this time: the condition keeps what was last known. True when it did. */
    private static boolean keepPrevious(Conditions conditions, OrderPipeline pipeline, RuntimeReading runtime,
                                        ConditionType type) {
        if (runtime != null && runtime.podsRead() > 0) {
            return false;
        }
        Optional.ofNullable(previousConditions(pipeline))
                .flatMap(previous -> Conditions.find(previous, type))
                .ifPresent(c -> conditions.set(type, "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
        return true;
    }

    private boolean lastedAStall(String since) {
        return since != null && !Instant.parse(since).plus(SINK_STALL).isAfter(clock.instant());
    }

    /** Database messages can be long; a condition stays readable in kubectl describe. */
    private static String abridged(String error) {
        if (error == null) {
            return "(none reported)";
        }
        return error.length() > 300 ? error.substring(0, 300) + "…" : error;
    }

    private static boolean rolledOut(Optional<Deployment> deployment, int desired) {
        if (deployment.isEmpty() || deployment.get().getStatus() == null) {
            return desired == 0;
        }
        DeploymentStatus s = deployment.get().getStatus();
        return observedCurrentGeneration(deployment.get()) && zeroIfNull(s.getUpdatedReplicas()) == desired && zeroIfNull(s.getReadyReplicas()) == desired
                && zeroIfNull(s.getReplicas()) == desired;
    }

    /** The Deployment controller has seen the current template (its status is about this spec). */
    private static boolean observedCurrentGeneration(Deployment d) {
        Long observed = d.getStatus().getObservedGeneration();
        return observed != null && observed >= Objects.requireNonNullElse(d.getMetadata().getGeneration(), 0L);
    }

    private static int zeroIfNull(Integer value) {
        return value == null ? 0 : value;
    }

    private static long generation(OrderPipeline pipeline) {
        return Objects.requireNonNullElse(pipeline.getMetadata().getGeneration(), 0L);
    }

    private static java.util.List<io.fabric8.kubernetes.api.model.Condition> previousConditions(OrderPipeline pipeline) {
        return pipeline.getStatus() == null ? null : pipeline.getStatus().conditions();
    }
}
