package dev.orderpipeline.metrics;

/** Every metric name the runtime emits, in one place (Micrometer dotted names; Prometheus adds suffixes). */
public final class MetricNames {
    public static final String RECORDS_CONSUMED = "orderpipeline.loader.records.consumed";
    public static final String RECORDS_LOADED = "orderpipeline.loader.records.loaded";
    public static final String RECORDS_DEAD_LETTERED = "orderpipeline.loader.records.dead_lettered";
    public static final String BATCH_ROWS = "orderpipeline.loader.batch.rows";
    public static final String BATCH_BYTES = "orderpipeline.loader.batch.bytes";
    public static final String COMMIT_LATENCY = "orderpipeline.loader.commit.latency";
    public static final String FRESHNESS = "orderpipeline.loader.freshness";
    public static final String WAREHOUSE_ERRORS = "orderpipeline.loader.warehouse.errors";
    public static final String FENCED_COMMITS = "orderpipeline.loader.fenced.commits";

    public static final String TAG_PIPELINE = "pipeline";
    public static final String TAG_TOPIC = "topic";
    public static final String TAG_SINK = "sink";

    private MetricNames() {
    }
}
