package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * The CRD schema of one status condition (Kubernetes' metav1.Condition), used only to generate the CRD
 * ({@code @SchemaFrom} on the status records): fabric8's {@code Condition} carries no descriptions and
 * marks nothing required, and {@code type} must be required to key the list as a map by type.
 */
public record ConditionSchema(
        @Required
        @JsonPropertyDescription("The condition's name: one per type in the list.")
        String type,
        @Required
        @JsonPropertyDescription("True, False or Unknown.")
        String status,
        @JsonPropertyDescription("A CamelCase word for why the status is what it is, e.g. CrashLooping or SecretNotFound.")
        String reason,
        @JsonPropertyDescription("What happened and, when the user must act, what to fix.")
        String message,
        @JsonPropertyDescription("The metadata.generation the condition was set for.")
        Long observedGeneration,
        @JsonPropertyDescription("When status last changed (RFC 3339).")
        String lastTransitionTime) {
}
