package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
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
        @Size(max = 32)
        @JsonPropertyDescription("Upsert key fields (nested as parent.child); absent means append-only.")
        List<@Pattern(Patterns.KEY_FIELD) @Size(max = 512) String> keyFields,
        @JsonPropertyDescription("Snowflake connection; required when type is snowflake.")
        SnowflakeSinkSpec snowflake,
        @JsonPropertyDescription("DuckDB file settings; used when type is duckdb.")
        DuckDbSinkSpec duckdb) {

    /**
     * The key fields, with their CEL rule declared here only: on the record component the generator read it twice
     * (field and accessor) and wrote it into the CRD twice, which a real API server refuses. The bounds on the
     * list and its items keep the rule inside the API server's CEL cost budget; the items' pattern enforces the
     * same rule where CEL is not evaluated.
     */
    @Override
    @ValidationRule(value = "self.all(f, f.matches('^[A-Za-z_][A-Za-z0-9_$]*([.][A-Za-z_][A-Za-z0-9_$]*)*$'))",
            message = "key fields are letters, digits, _ and $, nested as parent.child")
    public List<String> keyFields() {
        return keyFields;
    }

    public enum Type {
        @JsonProperty("snowflake") SNOWFLAKE,
        @JsonProperty("duckdb") DUCKDB
    }
}
