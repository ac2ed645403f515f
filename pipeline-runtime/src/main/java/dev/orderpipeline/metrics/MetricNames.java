package dev.orderpipeline.metrics;

import java.util.List;
import java.util.Optional;

/**
 * Every metric name, type, unit and tag of the project, in one place: the runtime's loader and
 * replicator, the operator's own metrics, and the Kafka client metrics the loader binds.
 *
 * <p>Names are Micrometer dotted names. The Datadog registries (DogStatsD in Datadog flavour and
 * the Datadog API) keep them as they are: a counter arrives under its name with no suffix, a gauge
 * too; a timer or distribution summary arrives as {@code <name>.avg}, {@code .count} and
 * {@code .max} (both paths; the API adds {@code .sum}, the agent {@code .median} and
 * {@code .95percentile}). Timers are in milliseconds in Datadog. Prometheus ({@code /metrics})
 * converts dots to underscores, adds {@code _total} to counters and {@code _seconds} to timers.
 *
 * <p>The shipped dashboard and monitors may reference only what {@link #ALL} defines (a test checks
 * it), plus the documented Kafka-integration metrics.
 */
public final class MetricNames {

    /** How a meter is registered, which decides its Datadog names. */
    public enum Type { COUNTER, GAUGE, TIMER, DISTRIBUTION_SUMMARY }

    /** Who emits the meter. */
    public enum Source {
        /** pipeline-runtime load. */
        LOADER,
        /** pipeline-runtime cdc. */
        REPLICATOR,
        /** The operator (names reserved here; emitted once the operator registers them). */
        OPERATOR,
        /** The Java Operator SDK's micrometer-support, in the operator. */
        JOSDK,
        /** Apache Kafka's consumer metrics, bound by Micrometer's KafkaClientMetrics in the loader. */
        KAFKA_CLIENT
    }

    /**
     * One meter.
     *
     * @param tags the tags the meter itself carries, besides the common tags of {@link #COMMON_TAGS}
     */
    public record Definition(String name, Type type, String unit, Source source, List<String> tags, String description) {

        /** The names under which the meter reaches Datadog, whether through DogStatsD or the API. */
        public List<String> datadogNames() {
            return switch (type) {
                case COUNTER, GAUGE -> List.of(name);
                case TIMER, DISTRIBUTION_SUMMARY -> List.of(name + ".avg", name + ".count", name + ".max");
            };
        }
    }

    // ---- Tags.
    public static final String TAG_PIPELINE = "pipeline";
    public static final String TAG_NAMESPACE = "namespace";
    public static final String TAG_TOPIC = "topic";
    public static final String TAG_SINK = "sink";
    public static final String TAG_PARTITION = "partition";
    /** Datadog unified service tagging, from DD_ENV, DD_SERVICE and DD_VERSION. */
    public static final String TAG_ENV = "env";
    public static final String TAG_SERVICE = "service";
    public static final String TAG_VERSION = "version";
    public static final String TAG_SYNC = "sync";
    public static final String TAG_MODE = "mode";
    public static final String TAG_TARGET = "target";
    /** dbt run outcome: success or failure. */
    public static final String TAG_RESULT = "result";
    /** Tags every meter of a process carries where known (set once on the registry). */
    public static final List<String> COMMON_TAGS =
            List.of(TAG_PIPELINE, TAG_NAMESPACE, TAG_TOPIC, TAG_SINK, TAG_ENV, TAG_SERVICE, TAG_VERSION);

    // ---- Loader (pipeline-runtime load).
    public static final String RECORDS_CONSUMED = "orderpipeline.loader.records.consumed";
    public static final String RECORDS_LOADED = "orderpipeline.loader.records.loaded";
    public static final String RECORDS_DEAD_LETTERED = "orderpipeline.loader.records.dead_lettered";
    public static final String BATCH_ROWS = "orderpipeline.loader.batch.rows";
    public static final String BATCH_BYTES = "orderpipeline.loader.batch.bytes";
    public static final String FLUSH_LATENCY = "orderpipeline.loader.flush.latency";
    public static final String COMMIT_LATENCY = "orderpipeline.loader.commit.latency";
    public static final String FRESHNESS = "orderpipeline.loader.freshness";
    public static final String CONSUMER_LAG = "orderpipeline.loader.consumer.lag";
    public static final String WAREHOUSE_ERRORS = "orderpipeline.loader.warehouse.errors";
    public static final String WAREHOUSE_RETRIES = "orderpipeline.loader.warehouse.retries";
    public static final String FENCED_COMMITS = "orderpipeline.loader.fenced.commits";
    public static final String PARTITIONS_PAUSED = "orderpipeline.loader.partitions.paused";
    public static final String RECORDS_REFUSED = "orderpipeline.loader.records.refused";
    public static final String DEAD_LETTER_SEND_FAILURES = "orderpipeline.loader.dead_letter.send_failures";
    public static final String DEAD_LETTER_UNAVAILABLE = "orderpipeline.loader.dead_letter.unavailable";
    public static final String SCHEMA_REGISTRY_UNAVAILABLE = "orderpipeline.loader.schema_registry.unavailable";
    public static final String OFFSETS_OUT_OF_RANGE = "orderpipeline.loader.offsets.out_of_range";
    public static final String PARTITIONS_OUT_OF_RANGE = "orderpipeline.loader.partitions.out_of_range";

    // ---- Replicator (pipeline-runtime cdc).
    public static final String CDC_ROWS_UPSERTED = "orderpipeline.cdc.rows.upserted";
    public static final String CDC_ROWS_DELETED = "orderpipeline.cdc.rows.deleted";
    public static final String CDC_BATCHES = "orderpipeline.cdc.batches";
    public static final String CDC_ERRORS = "orderpipeline.cdc.errors";
    public static final String CDC_APPLY_LATENCY = "orderpipeline.cdc.apply.latency";
    public static final String CDC_FRESHNESS = "orderpipeline.cdc.freshness";
    public static final String CDC_LAG_SECONDS = "orderpipeline.cdc.lag.seconds";
    public static final String CDC_DRIFT_ROWS = "orderpipeline.cdc.drift.rows";
    public static final String CDC_DRIFT_DETECTED = "orderpipeline.cdc.drift.detected";
    public static final String CDC_STREAM_STALE = "orderpipeline.cdc.stream.stale";

    // ---- Operator: names reserved for the operator's own meters (tags pipeline, namespace).
    public static final String OPERATOR_REPLICAS_DESIRED = "orderpipeline.operator.replicas.desired";
    public static final String OPERATOR_REPLICAS_READY = "orderpipeline.operator.replicas.ready";
    public static final String OPERATOR_CONSUMER_LAG = "orderpipeline.operator.consumer.lag";
    public static final String OPERATOR_DBT_RUNS = "orderpipeline.operator.dbt.runs";
    public static final String OPERATOR_DBT_MODELS_FAILED = "orderpipeline.operator.dbt.models.failed";
    public static final String OPERATOR_DBT_TESTS_FAILED = "orderpipeline.operator.dbt.tests.failed";
    /** JOSDK micrometer-support's counters (prefix operator.sdk.). */
    public static final String JOSDK_RECONCILIATIONS_STARTED = "operator.sdk.reconciliations.started";
    public static final String JOSDK_RECONCILIATIONS_SUCCESS = "operator.sdk.reconciliations.success";
    public static final String JOSDK_RECONCILIATIONS_FAILED = "operator.sdk.reconciliations.failed";

    // ---- Kafka consumer metrics as Micrometer's KafkaClientMetrics names them
    // ---- ("kafka." + group without "-metrics" + "." + name, dashes to dots). Only those the monitoring uses.
    public static final String KAFKA_CLIENT_RECORDS_LAG = "kafka.consumer.fetch.manager.records.lag";
    public static final String KAFKA_CLIENT_RECORDS_LAG_MAX = "kafka.consumer.fetch.manager.records.lag.max";
    public static final String KAFKA_CLIENT_RECORDS_CONSUMED_TOTAL = "kafka.consumer.fetch.manager.records.consumed.total";
    public static final String KAFKA_CLIENT_FETCH_LATENCY_AVG = "kafka.consumer.fetch.manager.fetch.latency.avg";
    public static final String KAFKA_CLIENT_REBALANCE_TOTAL = "kafka.consumer.coordinator.rebalance.total";
    public static final String KAFKA_CLIENT_LAST_POLL_SECONDS_AGO = "kafka.consumer.last.poll.seconds.ago";

    private static final List<String> LOADER_TAGS = List.of(TAG_PIPELINE, TAG_TOPIC, TAG_SINK);
    private static final List<String> CDC_TAGS = List.of(TAG_SYNC, TAG_MODE, TAG_TARGET);
    private static final List<String> OPERATOR_TAGS = List.of(TAG_PIPELINE, TAG_NAMESPACE);
    private static final List<String> KAFKA_CLIENT_TAGS = List.of("client.id", "kafka.version");

    /** Every meter, in the order the README lists them. */
    public static final List<Definition> ALL = List.of(
            loader(RECORDS_CONSUMED, Type.COUNTER, "records", "Records polled from Kafka"),
            loader(RECORDS_LOADED, Type.COUNTER, "records", "Records committed to the warehouse"),
            loader(RECORDS_DEAD_LETTERED, Type.COUNTER, "records", "Records sent to the dead-letter topic"),
            loader(BATCH_ROWS, Type.DISTRIBUTION_SUMMARY, "rows", "Rows per committed batch (after key deduplication)"),
            loader(BATCH_BYTES, Type.DISTRIBUTION_SUMMARY, "bytes", "Record key and value bytes per committed batch"),
            loader(FLUSH_LATENCY, Type.TIMER, "milliseconds",
                    "A batch from hand-off to committed, including warehouse retries and their backoff"),
            loader(COMMIT_LATENCY, Type.TIMER, "milliseconds", "One warehouse transaction (rows and offsets together)"),
            loader(FRESHNESS, Type.TIMER, "milliseconds", "End-to-end freshness: oldest record timestamp of a batch to its commit"),
            new Definition(CONSUMER_LAG, Type.GAUGE, "records", Source.LOADER,
                    List.of(TAG_PIPELINE, TAG_TOPIC, TAG_SINK, TAG_PARTITION),
                    "Consumer lag of each assigned partition (the consumer's records-lag)"),
            loader(WAREHOUSE_ERRORS, Type.COUNTER, "errors", "Failed warehouse operations (each one is retried)"),
            loader(WAREHOUSE_RETRIES, Type.COUNTER, "retries", "Warehouse operations attempted again after a failure"),
            loader(FENCED_COMMITS, Type.COUNTER, "commits", "Commits rolled back because another loader owns the partition"),
            loader(PARTITIONS_PAUSED, Type.GAUGE, "partitions",
                    "Assigned partitions not being read: the warehouse is failing (retries) or stalled (a commit that has not returned)"),
            loader(RECORDS_REFUSED, Type.COUNTER, "records",
                    "Records whose row the warehouse refused (found by bisecting the batch), sent to the dead-letter topic"),
            loader(DEAD_LETTER_SEND_FAILURES, Type.COUNTER, "records", "Dead-letter sends that failed (each one is sent again)"),
            loader(DEAD_LETTER_UNAVAILABLE, Type.GAUGE, "boolean",
                    "1 while the dead-letter topic does not take records (the batches that skipped them wait)"),
            loader(SCHEMA_REGISTRY_UNAVAILABLE, Type.GAUGE, "boolean",
                    "1 while the Schema Registry does not answer (the record that needs it and those after it wait)"),
            loader(OFFSETS_OUT_OF_RANGE, Type.COUNTER, "partitions",
                    "Offsets found outside a partition's log, each handled by OPL_KAFKA_OFFSET_RESET (reset, or not read)"),
            loader(PARTITIONS_OUT_OF_RANGE, Type.GAUGE, "partitions",
                    "Partitions not read because their offset is outside the log and OPL_KAFKA_OFFSET_RESET=fail"),

            cdc(CDC_ROWS_UPSERTED, Type.COUNTER, "rows", "Rows inserted or updated in PostgreSQL"),
            cdc(CDC_ROWS_DELETED, Type.COUNTER, "rows", "Rows deleted in PostgreSQL"),
            cdc(CDC_BATCHES, Type.COUNTER, "transactions", "PostgreSQL transactions committed"),
            cdc(CDC_ERRORS, Type.COUNTER, "errors", "Failed cycles (retried with backoff)"),
            cdc(CDC_APPLY_LATENCY, Type.TIMER, "milliseconds", "PostgreSQL apply transaction time"),
            cdc(CDC_FRESHNESS, Type.TIMER, "milliseconds", "Oldest change of a batch: produced to visible in PostgreSQL"),
            cdc(CDC_LAG_SECONDS, Type.GAUGE, "seconds", "Warehouse commit to PostgreSQL commit, oldest change of the last batch"),
            cdc(CDC_DRIFT_ROWS, Type.GAUGE, "rows", "Row count difference found by the last audit"),
            cdc(CDC_DRIFT_DETECTED, Type.GAUGE, "boolean", "1 when the last conclusive audit found a difference"),
            cdc(CDC_STREAM_STALE, Type.GAUGE, "boolean", "1 when the Snowflake stream is stale"),

            operator(OPERATOR_REPLICAS_DESIRED, Type.GAUGE, "replicas", OPERATOR_TAGS, "Loader replicas the scaler wants"),
            operator(OPERATOR_REPLICAS_READY, Type.GAUGE, "replicas", OPERATOR_TAGS, "Loader replicas ready"),
            operator(OPERATOR_CONSUMER_LAG, Type.GAUGE, "records", OPERATOR_TAGS,
                    "Total consumer lag of a pipeline's group, as the operator reads it"),
            operator(OPERATOR_DBT_RUNS, Type.COUNTER, "runs", List.of(TAG_PIPELINE, TAG_NAMESPACE, TAG_RESULT),
                    "Finished dbt runs, tagged result:success or result:failure"),
            operator(OPERATOR_DBT_MODELS_FAILED, Type.GAUGE, "models", OPERATOR_TAGS, "Models that failed in the last dbt run"),
            operator(OPERATOR_DBT_TESTS_FAILED, Type.GAUGE, "tests", OPERATOR_TAGS, "Tests that failed in the last dbt run"),
            josdk(JOSDK_RECONCILIATIONS_STARTED, "Reconciliations started"),
            josdk(JOSDK_RECONCILIATIONS_SUCCESS, "Reconciliations that succeeded"),
            josdk(JOSDK_RECONCILIATIONS_FAILED, "Reconciliations that failed"),

            kafka(KAFKA_CLIENT_RECORDS_LAG, Type.GAUGE, "records", List.of("client.id", "kafka.version", TAG_TOPIC, TAG_PARTITION),
                    "Per-partition lag as the consumer sees it (topic tag with dots as underscores)"),
            kafka(KAFKA_CLIENT_RECORDS_LAG_MAX, Type.GAUGE, "records", KAFKA_CLIENT_TAGS, "Largest partition lag of the consumer"),
            kafka(KAFKA_CLIENT_RECORDS_CONSUMED_TOTAL, Type.COUNTER, "records", KAFKA_CLIENT_TAGS, "Records the consumer fetched"),
            kafka(KAFKA_CLIENT_FETCH_LATENCY_AVG, Type.GAUGE, "milliseconds", KAFKA_CLIENT_TAGS, "Average fetch request latency"),
            kafka(KAFKA_CLIENT_REBALANCE_TOTAL, Type.COUNTER, "rebalances", KAFKA_CLIENT_TAGS, "Group rebalances this consumer took part in"),
            kafka(KAFKA_CLIENT_LAST_POLL_SECONDS_AGO, Type.GAUGE, "seconds", KAFKA_CLIENT_TAGS, "Seconds since the last poll()"));

    private MetricNames() {
    }

    public static Optional<Definition> definition(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    private static Definition loader(String name, Type type, String unit, String description) {
        return new Definition(name, type, unit, Source.LOADER, LOADER_TAGS, description);
    }

    private static Definition cdc(String name, Type type, String unit, String description) {
        return new Definition(name, type, unit, Source.REPLICATOR, CDC_TAGS, description);
    }

    private static Definition operator(String name, Type type, String unit, List<String> tags, String description) {
        return new Definition(name, type, unit, Source.OPERATOR, tags, description);
    }

    private static Definition josdk(String name, String description) {
        return new Definition(name, Type.COUNTER, "reconciliations", Source.JOSDK,
                List.of("group", "version", "kind", TAG_NAMESPACE, "name", "scope"), description);
    }

    private static Definition kafka(String name, Type type, String unit, List<String> tags, String description) {
        return new Definition(name, type, unit, Source.KAFKA_CLIENT, tags, description);
    }
}
