package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What dbt last did for this pipeline. */
public record DbtStatus(
        @JsonPropertyDescription("The most recent dbt run.")
        DbtRunStatus lastRun) {
}
