package dev.orderpipeline.operator.scaling;

import dev.orderpipeline.operator.api.Durations;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.ScalingSpec;
import java.time.Duration;

/**
 * How many loaders a pipeline asks for.
 *
 * <ul>
 *   <li>manual mode (the default): spec.scaling.replicas, which {@code kubectl scale} writes through the scale
 *   subresource, kept inside [minReplicas, maxReplicas];</li>
 *   <li>lag mode: ceil(consumer lag / lagPerReplica), kept inside [minReplicas, maxReplicas], then stabilised
 *   by {@link ScaleDownStabilizer}.</li>
 * </ul>
 * In both modes the count never exceeds the topic's partitions when they are known (a loader beyond the
 * partition count would get no partition), and a paused pipeline asks for zero.
 */
public final class LoaderReplicas {
    public static final long DEFAULT_LAG_PER_REPLICA = 100_000L;
    public static final Duration DEFAULT_SCALE_DOWN_STABILIZATION = Duration.ofMinutes(5);
    /** Key under which the reconciler hands the decided replicas to the Deployment dependent. */
    public static final String CONTEXT_KEY = "orderpipeline.dev/desired-replicas";

    private LoaderReplicas() {
    }

    /** The manual-mode count, without knowledge of the partitions. */
    public static int desired(OrderPipelineSpec spec) {
        return manual(spec, null);
    }

    public static boolean lagMode(OrderPipelineSpec spec) {
        return spec.scaling() != null && spec.scaling().mode() == ScalingSpec.Mode.LAG;
    }

    /** Manual mode: the requested replicas, clamped, capped at the partitions when known. */
    public static int manual(OrderPipelineSpec spec, Integer partitions) {
        if (spec.paused()) {
            return 0;
        }
        ScalingSpec scaling = spec.scaling();
        if (scaling == null) {
            return cap(ScalingSpec.DEFAULT_MIN_REPLICAS, partitions);
        }
        int min = scaling.effectiveMinReplicas();
        int requested = scaling.replicas() == null ? min : scaling.replicas();
        return cap(Math.max(min, Math.min(scaling.effectiveMaxReplicas(), requested)), partitions);
    }

    /** Lag mode, before stabilisation: ceil(lag / lagPerReplica) inside [min, min(max, partitions)]. */
    public static int recommendedForLag(ScalingSpec scaling, long lag, int partitions) {
        long perReplica = lagPerReplica(scaling);
        long raw = lag <= 0 ? 0 : (lag + perReplica - 1) / perReplica;
        int bounded = (int) Math.max(scaling.effectiveMinReplicas(), Math.min(scaling.effectiveMaxReplicas(), raw));
        return cap(bounded, partitions);
    }

    public static long lagPerReplica(ScalingSpec scaling) {
        return scaling.lagPerReplica() == null ? DEFAULT_LAG_PER_REPLICA : scaling.lagPerReplica();
    }

    public static Duration scaleDownStabilization(ScalingSpec scaling) {
        return Durations.parse(scaling.scaleDownStabilization()).orElse(DEFAULT_SCALE_DOWN_STABILIZATION);
    }

    private static int cap(int replicas, Integer partitions) {
        return partitions == null || partitions <= 0 ? replicas : Math.min(replicas, partitions);
    }
}
