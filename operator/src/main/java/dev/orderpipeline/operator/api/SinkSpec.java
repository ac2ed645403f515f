package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The warehouse table the loaders write to. */
@ValidationRule(value = "self.type != 'snowflake' || has(self.snowflake)",
        message = "spec.sink.snowflake is required when spec.sink.type is snowflake")
public record SinkSpec(
        @Required
        @JsonPropertyDescription("Warehouse dialect: snowflake, or duckdb (embedded, for trials).")
        Type type,
        @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Target table, created if absent; default ORDERS.")
        String table,
        @ValidationRule(value = "self.all(f, f.matches('^[A-Za-z_][A-Za-z0-9_$]*([.][A-Za-z_][A-Za-z0-9_$]*)*$'))",
                message = "key fields are letters, digits, _ and $, nested as parent.child")
        @JsonPropertyDescription("Upsert key fields (nested as parent.child); absent means append-only.")
        List<String> keyFields,
        @JsonPropertyDescription("Snowflake connection; required when type is snowflake.")
        SnowflakeSinkSpec snowflake,
        @JsonPropertyDescription("DuckDB file settings; used when type is duckdb.")
        DuckDbSinkSpec duckdb) {

    public enum Type {
        @JsonProperty("snowflake") SNOWFLAKE,
        @JsonProperty("duckdb") DUCKDB
    }
}
