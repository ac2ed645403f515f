package dev.orderpipeline.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loader's meters, tagged with pipeline, topic and sink; names, units and descriptions from
 * {@link MetricNames}. Consumer lag and the Kafka client's own metrics are bound by
 * {@link KafkaConsumerMeters}; warehouse transaction time and retries by {@link MeteredWarehouse}.
 */
public final class LoaderMetrics {
    private final Tags tags;
    private final Counter consumed;
    private final Counter loaded;
    private final Counter deadLettered;
    private final Counter warehouseErrors;
    private final Counter warehouseRetries;
    private final Counter fenced;
    private final DistributionSummary batchRows;
    private final DistributionSummary batchBytes;
    private final Timer flushLatency;
    private final Timer commitLatency;
    private final Timer freshness;
    private final AtomicInteger pausedPartitions = new AtomicInteger();
    private final Counter refused;
    private final Counter deadLetterSendFailures;
    private final AtomicInteger deadLetterUnavailable = new AtomicInteger();
    private final AtomicInteger schemaRegistryUnavailable = new AtomicInteger();
    private final Counter offsetsOutOfRange;
    private final AtomicInteger partitionsOutOfRange = new AtomicInteger();

    public LoaderMetrics(MeterRegistry registry, String pipeline, String topic, String sink) {
        tags = Tags.of(MetricNames.TAG_PIPELINE, pipeline, MetricNames.TAG_TOPIC, topic, MetricNames.TAG_SINK, sink);
        consumed = counter(registry, MetricNames.RECORDS_CONSUMED);
        loaded = counter(registry, MetricNames.RECORDS_LOADED);
        deadLettered = counter(registry, MetricNames.RECORDS_DEAD_LETTERED);
        warehouseErrors = counter(registry, MetricNames.WAREHOUSE_ERRORS);
        warehouseRetries = counter(registry, MetricNames.WAREHOUSE_RETRIES);
        fenced = counter(registry, MetricNames.FENCED_COMMITS);
        batchRows = summary(registry, MetricNames.BATCH_ROWS);
        batchBytes = summary(registry, MetricNames.BATCH_BYTES);
        flushLatency = timer(registry, MetricNames.FLUSH_LATENCY);
        commitLatency = timer(registry, MetricNames.COMMIT_LATENCY);
        freshness = timer(registry, MetricNames.FRESHNESS);
        Gauge.builder(MetricNames.PARTITIONS_PAUSED, pausedPartitions, AtomicInteger::get).tags(tags)
                .description(definition(MetricNames.PARTITIONS_PAUSED).description()).register(registry);
        refused = counter(registry, MetricNames.RECORDS_REFUSED);
        deadLetterSendFailures = counter(registry, MetricNames.DEAD_LETTER_SEND_FAILURES);
        offsetsOutOfRange = counter(registry, MetricNames.OFFSETS_OUT_OF_RANGE);
        gauge(registry, MetricNames.DEAD_LETTER_UNAVAILABLE, deadLetterUnavailable);
        gauge(registry, MetricNames.SCHEMA_REGISTRY_UNAVAILABLE, schemaRegistryUnavailable);
        gauge(registry, MetricNames.PARTITIONS_OUT_OF_RANGE, partitionsOutOfRange);
    }

    private void gauge(MeterRegistry registry, String name, AtomicInteger value) {
        Gauge.builder(name, value, AtomicInteger::get).tags(tags).description(definition(name).description()).register(registry);
    }

    /** A record whose row the warehouse refused, dead-lettered. */
    public void refused() {
        refused.increment();
    }

    public void deadLetterSendsFailed(int records) {
        deadLetterSendFailures.increment(records);
    }

    public void deadLetterUnavailable(boolean unavailable) {
        deadLetterUnavailable.set(unavailable ? 1 : 0);
    }

    public void schemaRegistryUnavailable(boolean unavailable) {
        schemaRegistryUnavailable.set(unavailable ? 1 : 0);
    }

    /** A partition's offset found outside its log (then reset or held per OPL_KAFKA_OFFSET_RESET). */
    public void offsetOutOfRange() {
        offsetsOutOfRange.increment();
    }

    /** How many partitions are held because their offset is outside the log (OPL_KAFKA_OFFSET_RESET=fail). */
    public void partitionsOutOfRange(int count) {
        partitionsOutOfRange.set(count);
    }

    /** pipeline, topic and sink. */
    public Tags tags() {
        return tags;
    }

    public void consumed(int n) {
        consumed.increment(n);
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    public void warehouseError() {
        warehouseErrors.increment();
    }

    /** A warehouse operation attempted again after a failure. */
    public void warehouseRetry() {
        warehouseRetries.increment();
    }

    /** One successful warehouse transaction (rows and offsets). */
    public void warehouseTransaction(Duration latency) {
        commitLatency.record(latency);
    }

    public void fenced() {
        fenced.increment();
    }

    /** How many assigned partitions are paused now. */
    public void pausedPartitions(int count) {
        pausedPartitions.set(count);
    }

    /**
     * A batch committed.
     *
     * @param latency hand-off of the batch to its commit, retries included (the flush latency)
     * @param freshnessOfBatch oldest record timestamp of the batch to its commit
     */
    public void committed(long records, long rows, long bytes, Duration latency, Duration freshnessOfBatch) {
        loaded.increment(records);
        batchRows.record(rows);
        batchBytes.record(bytes);
        flushLatency.record(latency);
        freshness.record(freshnessOfBatch);
    }

    private Counter counter(MeterRegistry registry, String name) {
        // No base unit: Prometheus would append it to the name (records_loaded_records_total).
        return Counter.builder(name).tags(tags).description(definition(name).description()).register(registry);
    }

    private DistributionSummary summary(MeterRegistry registry, String name) {
        MetricNames.Definition d = definition(name);
        // The names end with their unit (batch.rows, batch.bytes), so Prometheus adds no suffix.
        return DistributionSummary.builder(name).tags(tags).baseUnit(d.unit()).description(d.description()).register(registry);
    }

    private Timer timer(MeterRegistry registry, String name) {
        return Timer.builder(name).tags(tags).description(definition(name).description()).register(registry);
    }

    static MetricNames.Definition definition(String name) {
        return MetricNames.definition(name).orElseThrow(() -> new IllegalStateException(name + " is not in MetricNames.ALL"));
    }
}
