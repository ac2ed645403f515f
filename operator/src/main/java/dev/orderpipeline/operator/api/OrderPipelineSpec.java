package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What the user asks for: a Kafka topic loaded into a warehouse table, exactly once. The rules across
 * fields are CEL rules, so that the API server refuses them at apply time; the operator checks them
 * again ({@code SpecValidator}) for API servers that skip CEL.
 */
@ValidationRule(value = "!has(self.deadLetter) || !has(self.deadLetter.topic) || self.deadLetter.topic != self.source.topic",
        message = "spec.deadLetter.topic must differ from spec.source.topic: bad records would be read again forever")
@ValidationRule(value = "self.sink.type != 'duckdb' || !has(self.scaling) || ((!has(self.scaling.mode) "
        + "|| self.scaling.mode == 'manual') && (!has(self.scaling.replicas) || self.scaling.replicas <= 1) "
        + "&& (!has(self.scaling.minReplicas) || self.scaling.minReplicas <= 1) "
        + "&& (!has(self.scaling.maxReplicas) || self.scaling.maxReplicas <= 1))",
        message = "a duckdb sink runs at most one loader (one writer per DuckDB file): use spec.scaling.mode manual "
                + "with replicas, minReplicas and maxReplicas of 1 or less")
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
        PipelineState state,
        @JsonPropertyDescription("Scheduling, resources, image and metadata of the loader pods (and of dbt pods for "
                + "scheduling and pull credentials).")
        PodTemplate podTemplate) {

    public OrderPipelineSpec(SourceSpec source, SinkSpec sink, BatchSpec batch, ScalingSpec scaling,
                             DeadLetterSpec deadLetter, DbtSpec dbt, MonitoringSpec monitoring, PipelineState state) {
        this(source, sink, batch, scaling, deadLetter, dbt, monitoring, state, null);
    }

    public boolean paused() {
        return state == PipelineState.PAUSED;
    }
}
