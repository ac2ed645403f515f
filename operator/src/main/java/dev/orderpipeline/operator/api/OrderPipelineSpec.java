package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What the user asks for: a Kafka topic loaded into a warehouse table, exactly once. */
public record OrderPipelineSpec(
        @Required
        @JsonPropertyDescription("Kafka topic to read.")
        SourceSpec source,
        @Required
        @JsonPropertyDescription("Warehouse table to write.")
        SinkSpec sink,
        @JsonPropertyDescription("Batch limits of the loaders.")
        BatchSpec batch,
        @JsonPropertyDescription("Number of loaders, fixed or following consumer lag.")
        ScalingSpec scaling,
        @JsonPropertyDescription("Dead-letter topic for bad records; absent means the loader stops at the first one.")
        DeadLetterSpec deadLetter,
        @JsonPropertyDescription("dbt runs over the loaded table.")
        DbtSpec dbt,
        @JsonPropertyDescription("Monitoring and tagging.")
        MonitoringSpec monitoring,
        @JsonPropertyDescription("running or paused (loaders scaled to zero, offsets kept). Default running.")
        PipelineState state) {

    public boolean paused() {
        return state == PipelineState.PAUSED;
    }
}
