package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/**
 * How many loader pods run: a fixed number (kubectl scale) or driven by consumer lag. The min/max rule is
 * also checked by the operator, for API servers that do not evaluate CEL rules.
 */
@ValidationRule(value = "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
        message = "spec.scaling.minReplicas must not exceed spec.scaling.maxReplicas")
public record ScalingSpec(
        @JsonPropertyDescription("manual: run spec.scaling.replicas loaders; lag: follow consumer lag. Default manual.")
        Mode mode,
        @SpecReplicas @Min(0)
        @JsonPropertyDescription("Loader count in manual mode, set by kubectl scale; default minReplicas.")
        Integer replicas,
        @Min(0)
        @JsonPropertyDescription("Fewest loaders while running; default 1.")
        Integer minReplicas,
        @Min(1)
        @JsonPropertyDescription("Most loaders; never more than the topic's partitions. Default 10.")
        Integer maxReplicas,
        @Min(1)
        @JsonPropertyDescription("Consumer lag (records) one loader is expected to absorb, in lag mode. Default 100000.")
        Long lagPerReplica,
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("How long lag must stay low before loaders are removed, in lag mode. Default 5m.")
        String scaleDownStabilization) {

    public static final int DEFAULT_MIN_REPLICAS = 1;
    public static final int DEFAULT_MAX_REPLICAS = 10;

    public enum Mode {
        @JsonProperty("manual") MANUAL,
        @JsonProperty("lag") LAG
    }

    public int effectiveMinReplicas() {
        return minReplicas == null ? DEFAULT_MIN_REPLICAS : minReplicas;
    }

    public int effectiveMaxReplicas() {
        return maxReplicas == null ? DEFAULT_MAX_REPLICAS : maxReplicas;
    }
}
