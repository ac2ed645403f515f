package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** An embedded DuckDB file inside the loader pod: for trying the pipeline out, not for production. */
public record DuckDbSinkSpec(
        @Pattern("^/.+$")
        @JsonPropertyDescription("Absolute path of the database file; default on the pod's data volume.")
        String path,
        @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Schema of the target table; default main.")
        String schema) {
}
