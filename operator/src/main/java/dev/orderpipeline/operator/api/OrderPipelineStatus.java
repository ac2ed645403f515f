package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/**
 * What the operator observed. Built afresh on every reconcile and written only when it differs from
 * what is stored, so a steady pipeline causes no writes.
 */
public record OrderPipelineStatus(
        @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
        @JsonPropertyDescription("Pending (rolling out), Running, Paused, Degraded (loader pods crash-loop, cannot pull their image or cannot be created: the Ready condition says why) or Stalled (the spec or a Secret must be fixed).")
        String phase,
        @JsonPropertyDescription("Ready, Reconciling and Stalled (kstatus), SourceReachable (Kafka lag readable), SinkWriting (warehouse commits return), OffsetsInRange (every partition reads on from its stored offset), SchemaRegistryAvailable (with a Schema Registry format: the loaders' registry answers) and DbtSucceeded, with Kubernetes condition conventions.")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,
        @StatusReplicas
        @JsonPropertyDescription("Loader pods that exist.")
        Integer replicas,
        @JsonPropertyDescription("Loader pods that are ready.")
        Integer readyReplicas,
        @JsonPropertyDescription("Loader pods the operator asks for.")
        Integer desiredReplicas,
        @LabelSelector
        @JsonPropertyDescription("Label selector of the loader pods, for the scale subresource.")
        String labelSelector,
        @JsonPropertyDescription("Partitions of the source topic.")
        Integer partitions,
        @JsonPropertyDescription("Records of the source topic not yet committed by the loaders' consumer group (read every few seconds).")
        Long consumerLag,
        @JsonPropertyDescription("Records loaded, summed over loader restarts and scale-downs (never decreases; a lower bound: a loader's last records before it ends may be missed; the table is the exact count).")
        Long recordsLoaded,
        @JsonPropertyDescription("When the loaders last committed a batch (RFC 3339).")
        String lastCommitTime,
        @JsonPropertyDescription("Age in seconds of the newest loaded record when its batch was committed (the worst ready loader, rounded up); an old lastCommitTime shows a stuck loader.")
        Long freshnessSeconds,
        @JsonPropertyDescription("dbt runs.")
        DbtStatus dbt) implements ConditionedStatus {

    public enum Phase { Pending, Running, Paused, Degraded, Stalled }
}
