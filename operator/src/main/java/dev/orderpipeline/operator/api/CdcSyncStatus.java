package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the replicator last reported, plus the operator's conditions. */
public record CdcSyncStatus(
        @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
        @JsonPropertyDescription("Pending, Running, Paused, Degraded (the replicator pod crash-loops, cannot pull its image or cannot be created: Ready says why) or Stalled.")
        String phase,
        @JsonPropertyDescription("Ready, Reconciling and Stalled, with Kubernetes condition conventions.")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,
        @JsonPropertyDescription("When the last batch was committed to PostgreSQL (RFC 3339).")
        String lastSyncTime,
        @JsonPropertyDescription("Rows inserted or updated since the replicator started.")
        Long rowsUpserted,
        @JsonPropertyDescription("Rows deleted since the replicator started.")
        Long rowsDeleted,
        @JsonPropertyDescription("Seconds between the newest source change and its application.")
        Long lagSeconds,
        @JsonPropertyDescription("Human-readable summary of the stored watermark.")
        String watermark,
        @JsonPropertyDescription("What the sync costs its source warehouse (reads run and skipped, estimated "
                + "warehouse seconds), read from the replicator.")
        CdcSyncCost cost) implements ConditionedStatus {
}
