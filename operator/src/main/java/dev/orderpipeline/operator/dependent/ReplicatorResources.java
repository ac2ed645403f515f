package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.CdcSync;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of the objects the operator creates for a CdcSync's replicator. */
public final class ReplicatorResources {
    public static final String CONTAINER_NAME = "replicator";
    /** Key under which the reconciler hands the referenced OrderPipeline (if any) to the dependents. */
    public static final String REFERENCED_PIPELINE_KEY = "orderpipeline.dev/referenced-pipeline";

    private ReplicatorResources() {
    }

    public static String deploymentName(CdcSync sync) {
        return sync.getMetadata().getName() + "-replicator";
    }

    public static String configMapName(CdcSync sync) {
        return sync.getMetadata().getName() + "-replicator-config";
    }

    /** The sync's identity for the runtime; keys its row in orderpipeline_cdc_state. */
    public static String syncName(CdcSync sync) {
        return sync.getMetadata().getNamespace() + "." + sync.getMetadata().getName();
    }

    public static Map<String, String> selectorLabels(CdcSync sync) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "orderpipeline-replicator");
        labels.put("app.kubernetes.io/instance", sync.getMetadata().getName());
        labels.put("app.kubernetes.io/component", "replicator");
        return labels;
    }

    public static Map<String, String> labels(CdcSync sync) {
        Map<String, String> labels = new LinkedHashMap<>(selectorLabels(sync));
        labels.put("app.kubernetes.io/part-of", "orderpipeline");
        labels.put(LoaderResources.MANAGED_BY_LABEL, LoaderResources.MANAGED_BY);
        return labels;
    }
}
