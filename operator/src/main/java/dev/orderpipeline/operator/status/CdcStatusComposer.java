package dev.orderpipeline.operator.status;

import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.CdcSyncCost;
import dev.orderpipeline.operator.api.CdcSyncStatus;
import dev.orderpipeline.operator.api.OrderPipelineStatus.Phase;
import dev.orderpipeline.operator.api.PipelineState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a CdcSync's status afresh from the replicator Deployment (or the problem that stops the
 * operator), carrying over condition transition times and the replicator's last reported figures.
 */
public final class CdcStatusComposer {
    private final Clock clock;

    public CdcStatusComposer(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param runtime what the ready replicator last reported on {@code /status}; empty keeps the figures already
     *                in the status (the pod restarts, or is not ready yet)
     */
    public CdcSyncStatus reconciled(CdcSync sync, Optional<Deployment> deployment,
                                    Optional<RuntimeStatusReader.ReplicatorSnapshot> runtime,
                                    Optional<WorkloadTrouble> podTrouble) {
        Optional<WorkloadTrouble> trouble = podTrouble.or(() -> WorkloadTrouble.ofDeployment(deployment));
        long generation = generation(sync);
        int ready = deployment.map(Deployment::getStatus).map(DeploymentStatus::getReadyReplicas).orElse(0);
        int replicas = deployment.map(Deployment::getStatus).map(DeploymentStatus::getReplicas).orElse(0);
        Conditions conditions = new Conditions(previousConditions(sync), generation, clock);
        Phase phase;
        if (paused(sync)) {
            phase = Phase.Paused;
            conditions.set(ConditionType.Ready, false, "Paused",
                            "spec.state is paused: the replicator is stopped; set spec.state to running to resume.")
                    .set(ConditionType.Reconciling, replicas > 0, "Paused",
                            replicas > 0 ? "Stopping the replicator." : "No replicator runs.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        } else if (trouble.isPresent()) {
            phase = Phase.Degraded;
            conditions.set(ConditionType.Ready, false, trouble.get().reason(), trouble.get().message())
                    .set(ConditionType.Reconciling, false, trouble.get().reason(),
                            "Kubernetes retries, but the replicator will not run until the cause is fixed.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        } else if (rolledOut(deployment)) {
            phase = Phase.Running;
            conditions.set(ConditionType.Ready, true, "ReplicatorReady", "The replicator is ready.")
                    .set(ConditionType.Reconciling, false, "RolloutComplete", "The replicator runs the current spec.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        } else {
            phase = Phase.Pending;
            conditions.set(ConditionType.Ready, false, "ReplicatorNotReady", ready + " of 1 replicator ready.")
                    .set(ConditionType.Reconciling, true, "RollingOut", "Waiting for the replicator Deployment to roll out.")
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        }
        if (runtime.isPresent()) {
            RuntimeStatusReader.ReplicatorSnapshot r = runtime.get();
            CdcSyncCost cost = r.cost() == null ? null : new CdcSyncCost(r.cost().readsRun(), r.cost().readsSkipped(),
                    r.cost().estimatedWarehouseSeconds());
            return new CdcSyncStatus(generation, phase.name(), conditions.build(), r.lastSyncTime(), r.rowsUpserted(),
                    r.rowsDeleted(), r.lagSeconds(), r.watermark(), cost);
        }
        return withFigures(sync, generation, phase, conditions.build());
    }

    /**
     * Children could not be applied: Stalled when the user must act (the API server refused what the spec
     * rendered), Reconciling while it is retried (an outage); the replicator keeps running as it was.
     */
    public CdcSyncStatus failed(CdcSync sync, ReconcileFailure failure) {
        long generation = generation(sync);
        CdcSyncStatus p = sync.getStatus();
        Conditions conditions = new Conditions(previousConditions(sync), generation, clock);
        if (failure.needsUser()) {
            conditions.set(ConditionType.Ready, false, failure.reason(), failure.message())
                    .set(ConditionType.Reconciling, false, failure.reason(), "Waiting for the resource to be fixed.")
                    .set(ConditionType.Stalled, true, failure.reason(), failure.message());
        } else {
            boolean wasReady = p != null && Conditions.isTrue(p.conditions(), ConditionType.Ready);
            conditions.set(ConditionType.Ready, wasReady, wasReady ? "ReplicatorReady" : failure.reason(),
                            wasReady ? "The replicator is ready." : failure.message())
                    .set(ConditionType.Reconciling, true, failure.reason(), failure.message())
                    .set(ConditionType.Stalled, false, "SpecValid", "The spec is valid.");
        }
        Phase phase = paused(sync) ? Phase.Paused : failure.needsUser() ? Phase.Stalled
                : p != null && p.phase() != null ? Phase.valueOf(p.phase()) : Phase.Pending;
        return withFigures(sync, generation, phase, conditions.build());
    }

    public CdcSyncStatus stalled(CdcSync sync, SpecProblem problem) {
        long generation = generation(sync);
        Conditions conditions = new Conditions(previousConditions(sync), generation, clock)
                .set(ConditionType.Ready, false, problem.reason(), problem.message())
                .set(ConditionType.Reconciling, false, problem.reason(), "Waiting for the resource or its Secrets to be fixed.")
                .set(ConditionType.Stalled, true, problem.reason(), problem.message());
        // Paused wins over Stalled in the phase, as for an OrderPipeline: the replicator is scaled to zero even so,
        // and the Stalled condition still says what is broken.
        return withFigures(sync, generation, paused(sync) ? Phase.Paused : Phase.Stalled, conditions.build());
    }

    private static boolean paused(CdcSync sync) {
        return sync.getSpec() != null && sync.getSpec().state() == PipelineState.PAUSED;
    }

    private static CdcSyncStatus withFigures(CdcSync sync, long generation, Phase phase, List<Condition> conditions) {
        CdcSyncStatus p = sync.getStatus();
        return new CdcSyncStatus(generation, phase.name(), conditions,
                p == null ? null : p.lastSyncTime(), p == null ? null : p.rowsUpserted(),
                p == null ? null : p.rowsDeleted(), p == null ? null : p.lagSeconds(), p == null ? null : p.watermark(),
                p == null ? null : p.cost());
    }

    private static boolean rolledOut(Optional<Deployment> deployment) {
        if (deployment.isEmpty() || deployment.get().getStatus() == null) {
            return false;
        }
        Deployment d = deployment.get();
        DeploymentStatus s = d.getStatus();
        boolean observed = s.getObservedGeneration() != null
                && s.getObservedGeneration() >= Objects.requireNonNullElse(d.getMetadata().getGeneration(), 0L);
        return observed && Objects.requireNonNullElse(s.getReadyReplicas(), 0) == 1
                && Objects.requireNonNullElse(s.getUpdatedReplicas(), 0) == 1;
    }

    private static long generation(CdcSync sync) {
        return Objects.requireNonNullElse(sync.getMetadata().getGeneration(), 0L);
    }

    private static List<Condition> previousConditions(CdcSync sync) {
        return sync.getStatus() == null ? null : sync.getStatus().conditions();
    }
}
