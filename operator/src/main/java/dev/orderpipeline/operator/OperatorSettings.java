package dev.orderpipeline.operator;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How this operator process is configured, read once from its own environment at start-up.
 *
 * @param runtimeImage    image of pipeline-runtime used for the loader pods
 * @param stalledRecheck  how often a Stalled resource is looked at again; a Secret created later does
 *                        not trigger a reconcile by itself, because Secrets are not watched (that would
 *                        cache every Secret of the cluster in this process)
 * @param namespaces      namespaces watched; empty means all
 */
public record OperatorSettings(String runtimeImage, Duration stalledRecheck, Set<String> namespaces) {

    public static final String RUNTIME_IMAGE_ENV = "OPL_RUNTIME_IMAGE";
    public static final String STALLED_RECHECK_ENV = "OPL_STALLED_RECHECK_SECONDS";
    public static final String NAMESPACES_ENV = "OPL_WATCH_NAMESPACES";
    public static final String DEFAULT_RUNTIME_IMAGE = "ghcr.io/orderpipeline/pipeline-runtime:0.1.0";

    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        String image = env.getOrDefault(RUNTIME_IMAGE_ENV, "").isBlank()
                ? DEFAULT_RUNTIME_IMAGE : env.get(RUNTIME_IMAGE_ENV).trim();
        Duration recheck = Duration.ofSeconds(Long.parseLong(env.getOrDefault(STALLED_RECHECK_ENV, "30").trim()));
        Set<String> namespaces = Set.of(env.getOrDefault(NAMESPACES_ENV, "").trim().split("\\s*,\\s*"))
                .stream().filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new OperatorSettings(image, recheck, namespaces);
    }
}
