package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.OrderPipeline;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Names and labels of the objects the operator creates for an OrderPipeline's loaders. */
public final class LoaderResources {
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "orderpipeline-operator";
    /** Selects only this operator's objects, so the informers do not cache every ConfigMap of the cluster. */
    public static final String MANAGED_SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;
    public static final String CONFIG_HASH_ANNOTATION = "orderpipeline.dev/config-hash";
    public static final String CONTAINER_NAME = "loader";

    private LoaderResources() {
    }

    public static String deploymentName(OrderPipeline pipeline) {
        return pipeline.getMetadata().getName() + "-loader";
    }

    public static String configMapName(OrderPipeline pipeline) {
        return pipeline.getMetadata().getName() + "-loader-config";
    }

    /** Labels that pick out the loader pods; a Deployment selector is immutable, so these never change. */
    public static Map<String, String> selectorLabels(OrderPipeline pipeline) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "orderpipeline-loader");
        labels.put("app.kubernetes.io/instance", pipeline.getMetadata().getName());
        labels.put("app.kubernetes.io/component", "loader");
        return labels;
    }

    public static Map<String, String> labels(OrderPipeline pipeline) {
        Map<String, String> labels = new LinkedHashMap<>(selectorLabels(pipeline));
        labels.put("app.kubernetes.io/part-of", "orderpipeline");
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        return labels;
    }

    /** The selector in the string form the scale subresource expects. */
    public static String labelSelector(OrderPipeline pipeline) {
        return selectorLabels(pipeline).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
