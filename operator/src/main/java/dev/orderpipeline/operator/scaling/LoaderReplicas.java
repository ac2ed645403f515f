package dev.orderpipeline.operator.scaling;

import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.ScalingSpec;

/**
 * How many loaders a pipeline asks for. Manual mode only for now: the replicas set by the user (or by
 * kubectl scale), kept inside [minReplicas, maxReplicas]. Lag-driven scaling will plug in here.
 */
public final class LoaderReplicas {
    private LoaderReplicas() {
    }

    public static int desired(OrderPipelineSpec spec) {
        if (spec.paused()) {
            return 0;
        }
        ScalingSpec scaling = spec.scaling();
        if (scaling == null) {
            return ScalingSpec.DEFAULT_MIN_REPLICAS;
        }
        int min = scaling.effectiveMinReplicas();
        int max = scaling.effectiveMaxReplicas();
        int requested = scaling.replicas() == null ? min : scaling.replicas();
        return Math.max(min, Math.min(max, requested));
    }
}
