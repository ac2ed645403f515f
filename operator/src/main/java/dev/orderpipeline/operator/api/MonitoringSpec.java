package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observability settings. */
public record MonitoringSpec(
        @JsonPropertyDescription("Datadog tagging of pods and metrics.")
        DatadogSpec datadog) {
}
