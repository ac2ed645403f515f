package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.Map;

/** Datadog unified service tagging of the pipeline's pods and metrics. */
public record DatadogSpec(
        @JsonPropertyDescription("Put Datadog unified service tags on the pods; default false.")
        Boolean enabled,
        @Pattern(Patterns.LABEL_VALUE)
        @JsonPropertyDescription("Datadog env tag, e.g. prod. It becomes a pod label: at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.")
        String env,
        @Pattern(Patterns.LABEL_VALUE)
        @JsonPropertyDescription("Datadog service tag; default the resource name. It becomes a pod label: at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.")
        String service,
        @Pattern(Patterns.LABEL_VALUE)
        @JsonPropertyDescription("Datadog version tag; default the runtime image tag. It becomes a pod label: at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.")
        String version,
        @JsonPropertyDescription("Extra tags added to every metric, as key: value.")
        Map<String, String> tags,
        @JsonPropertyDescription("Annotate the pods for an OpenMetrics check of the agent on /metrics (clusters that scrape) instead of sending DogStatsD to the node's agent; default false.")
        Boolean openMetrics) {

    /** Without the OpenMetrics choice (DogStatsD to the node's agent when enabled). */
    public DatadogSpec(Boolean enabled, String env, String service, String version, Map<String, String> tags) {
        this(enabled, env, service, version, tags, null);
    }

    public boolean enabledOrDefault() {
        return Boolean.TRUE.equals(enabled);
    }
}
