package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** Where changes are read: an OrderPipeline's table, or any Snowflake table. Exactly one of the two. */
@ValidationRule(value = "has(self.pipelineRef) != has(self.snowflake)",
        message = "set exactly one of spec.source.pipelineRef and spec.source.snowflake")
public record CdcSourceSpec(
        @JsonPropertyDescription("Name of an OrderPipeline in this namespace whose table is replicated.")
        PipelineReference pipelineRef,
        @JsonPropertyDescription("A Snowflake table read through a stream or a cursor column.")
        SnowflakeTable snowflake) {

    /** Points at an OrderPipeline; its sink and credentials are reused. */
    public record PipelineReference(
            @io.fabric8.generator.annotation.Required @Pattern(Patterns.OBJECT_NAME)
            @JsonPropertyDescription("Name of the OrderPipeline.")
            String name) {
    }

    /** A Snowflake table outside any OrderPipeline. */
    @ValidationRule(value = "!has(self.mode) || self.mode != 'cursor' || has(self.cursorColumn)",
            message = "spec.source.snowflake.cursorColumn is required when spec.source.snowflake.mode is cursor")
    public record SnowflakeTable(
            @io.fabric8.generator.annotation.Required
            @JsonPropertyDescription("Snowflake connection and table (database, schema, table).")
            SnowflakeSinkSpec connection,
            @io.fabric8.generator.annotation.Required @Pattern(Patterns.SQL_IDENTIFIER)
            @JsonPropertyDescription("Table to replicate.")
            String table,
            @JsonPropertyDescription("stream: a Snowflake STREAM; cursor: a monotonic column. Default stream.")
            Mode mode,
            @Pattern(Patterns.SQL_IDENTIFIER)
            @JsonPropertyDescription("Monotonic column read in cursor mode.")
            String cursorColumn,
            @Pattern(Patterns.DURATION)
            @JsonPropertyDescription("How far back the cursor re-reads, for late commits; default 5m.")
            String lookback) {

        public enum Mode {
            @JsonProperty("stream") STREAM,
            @JsonProperty("cursor") CURSOR
        }
    }
}
