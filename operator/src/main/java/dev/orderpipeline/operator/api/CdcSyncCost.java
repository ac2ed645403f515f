package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the sync costs its source warehouse, as the replicator counts it since it started. */
public record CdcSyncCost(
        @JsonPropertyDescription("Change reads run against the warehouse.")
        Long readsRun,
        @JsonPropertyDescription("Change reads skipped because the table's change marker (Snowflake LAST_ALTERED) had "
                + "not moved: no warehouse query, no cost.")
        Long readsSkipped,
        @JsonPropertyDescription("Estimated seconds a billed warehouse (Snowflake) ran for this sync, assuming "
                + "AUTO_SUSPEND = 60 s and a warehouse that serves only this sync; absent for DuckDB. Credits = seconds / "
                + "3600 x the warehouse size's credits per hour (X-Small: 1). See pipeline-runtime/SNOWFLAKE.md.")
        Double estimatedWarehouseSeconds) {
}
