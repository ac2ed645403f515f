package dev.orderpipeline.operator.scaling;

import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.ScalingSpec;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Decides the loader replicas of a pipeline from its spec and the latest reading of its topic. */
public final class LoaderScaler {
    private final Clock clock;
    private final ScaleDownStabilizer stabilizer = new ScaleDownStabilizer();

    public LoaderScaler(Clock clock) {
        this.clock = clock;
    }

    public ScalingDecision decide(OrderPipeline pipeline, SourceReading reading) {
        OrderPipelineSpec spec = pipeline.getSpec();
        ResourceID id = ResourceID.fromResource(pipeline);
        Integer partitions = reading != null && reading.reachable() ? reading.partitions() : null;
        if (spec.paused() || !LoaderReplicas.lagMode(spec)) {
            stabilizer.forget(id);
            // A failed probe must not lift the cap (6 -> 12 -> 6 as Kafka flickers): the last known count holds.
            Integer known = partitions != null ? partitions
                    : pipeline.getStatus() == null ? null : pipeline.getStatus().partitions();
            int replicas = LoaderReplicas.manual(spec, known);
            String why = spec.paused() ? "spec.state is paused"
                    : "spec.scaling.replicas" + (known == null ? "" : ", at most " + known + " partitions"
                    + (partitions == null ? " (last known; Kafka not reachable now)" : ""));
            return new ScalingDecision(replicas, why, Optional.empty());
        }
        ScalingSpec scaling = spec.scaling();
        Integer previous = pipeline.getStatus() == null ? null : pipeline.getStatus().desiredReplicas();
        if (partitions == null) {
            // Without a reading, keep what runs: neither add nor remove loaders on missing information.
            int kept = previous != null && previous > 0 ? previous : LoaderReplicas.manual(spec, null);
            return new ScalingDecision(kept, "consumer lag unknown (Kafka not reachable); replicas kept",
                    Optional.empty());
        }
        Instant now = clock.instant();
        Duration window = LoaderReplicas.scaleDownStabilization(scaling);
        int recommended = LoaderReplicas.recommendedForLag(scaling, reading.lag(), partitions);
        int applied = stabilizer.stabilize(id, recommended, Optional.ofNullable(previous).filter(p -> p > 0),
                window, now);
        Optional<Duration> recheck = stabilizer.nextScaleDown(id, recommended, window)
                .map(due -> Duration.between(now, due)).map(d -> d.isNegative() ? Duration.ZERO : d);
        String why = "consumer lag " + reading.lag() + " records at " + LoaderReplicas.lagPerReplica(scaling)
                + " per loader, " + partitions + " partitions"
                + (applied > recommended ? "; scale-down to " + recommended + " waits for the "
                + window.toSeconds() + "s stabilization window" : "");
        return new ScalingDecision(applied, why, recheck);
    }

    public void forget(ResourceID id) {
        stabilizer.forget(id);
    }
}
