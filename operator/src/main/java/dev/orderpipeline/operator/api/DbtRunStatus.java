package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The outcome of one dbt run. */
public record DbtRunStatus(
        @JsonPropertyDescription("Name of the Job that ran dbt.")
        String job,
        @JsonPropertyDescription("When the run started (RFC 3339).")
        String startTime,
        @JsonPropertyDescription("When the run ended (RFC 3339).")
        String endTime,
        @JsonPropertyDescription("Succeeded, Failed or Running.")
        String result,
        @JsonPropertyDescription("Models built successfully.")
        Integer modelsPassed,
        @JsonPropertyDescription("Models that failed to build.")
        Integer modelsFailed,
        @JsonPropertyDescription("Tests that passed.")
        Integer testsPassed,
        @JsonPropertyDescription("Tests that failed.")
        Integer testsFailed) {
}
