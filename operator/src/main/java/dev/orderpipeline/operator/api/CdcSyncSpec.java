package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Keep a PostgreSQL table equal to a warehouse table, exactly once. */
public record CdcSyncSpec(
        @Required
        @JsonPropertyDescription("Table whose changes are replicated.")
        CdcSourceSpec source,
        @Required @Size(min = 1)
        @JsonPropertyDescription("Key columns that identify a row in source and target.")
        List<String> keyColumns,
        @Required
        @JsonPropertyDescription("PostgreSQL table written.")
        PostgresTargetSpec target,
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Pause between two change reads; default 10s.")
        String interval,
        @Min(1)
        @JsonPropertyDescription("Most changed rows applied in one PostgreSQL transaction; default 10000.")
        Integer batchSize,
        @Min(1)
        @JsonPropertyDescription("Most rows a snapshot page copies in one PostgreSQL transaction; default 25000. The "
                + "replicator holds two pages at once: lower it for very wide rows.")
        Integer snapshotBatchSize,
        @JsonPropertyDescription("propagate: delete target rows deleted at the source; ignore: keep them. Default propagate.")
        Deletes deletes,
        @JsonPropertyDescription("running or paused. Default running.")
        PipelineState state,
        @JsonPropertyDescription("Scheduling, resources, image and metadata of the replicator pod.")
        PodTemplate podTemplate) {

    public CdcSyncSpec(CdcSourceSpec source, List<String> keyColumns, PostgresTargetSpec target, String interval,
                       Integer batchSize, Deletes deletes, PipelineState state) {
        this(source, keyColumns, target, interval, batchSize, null, deletes, state, null);
    }

    public enum Deletes {
        @JsonProperty("propagate") PROPAGATE,
        @JsonProperty("ignore") IGNORE
    }
}
