package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** When a batch is committed: whichever limit is reached first, even if no new record arrives. */
public record BatchSpec(
        @Min(1)
        @JsonPropertyDescription("Flush after this many records; default 50000.")
        Integer maxRecords,
        @Min(1)
        @JsonPropertyDescription("Flush when the pending rows hold about this many bytes of heap (an estimate of their in-memory size, about 4x their wire size for Datagen orders); default 33554432 (32 MiB).")
        Long maxBytes,
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Flush when the oldest buffered record is this old, e.g. 500ms, 1s, 1m; default 1s.")
        String maxLatency) {
}
