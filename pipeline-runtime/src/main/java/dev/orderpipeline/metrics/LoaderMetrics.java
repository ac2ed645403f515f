package dev.orderpipeline.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The loader's meters, tagged with pipeline, topic and sink. */
public final class LoaderMetrics {
    private final Counter consumed;
    private final Counter loaded;
    private final Counter deadLettered;
    private final Counter warehouseErrors;
    private final Counter fenced;
    private final DistributionSummary batchRows;
    private final DistributionSummary batchBytes;
    private final Timer commitLatency;
    private final Timer freshness;

    public LoaderMetrics(MeterRegistry registry, String pipeline, String topic, String sink) {
        Tags tags = Tags.of(MetricNames.TAG_PIPELINE, pipeline, MetricNames.TAG_TOPIC, topic, MetricNames.TAG_SINK, sink);
        consumed = Counter.builder(MetricNames.RECORDS_CONSUMED).tags(tags).description("Records polled from Kafka").register(registry);
        loaded = Counter.builder(MetricNames.RECORDS_LOADED).tags(tags).description("Records committed to the warehouse").register(registry);
        deadLettered = Counter.builder(MetricNames.RECORDS_DEAD_LETTERED).tags(tags).description("Records sent to the dead-letter topic").register(registry);
        warehouseErrors = Counter.builder(MetricNames.WAREHOUSE_ERRORS).tags(tags).description("Failed warehouse transactions (retried)").register(registry);
        fenced = Counter.builder(MetricNames.FENCED_COMMITS).tags(tags).description("Commits rolled back because another loader owns the partition").register(registry);
        batchRows = DistributionSummary.builder(MetricNames.BATCH_ROWS).tags(tags).description("Rows per committed batch").register(registry);
        batchBytes = DistributionSummary.builder(MetricNames.BATCH_BYTES).baseUnit("bytes").tags(tags).description("Record bytes per committed batch").register(registry);
        commitLatency = Timer.builder(MetricNames.COMMIT_LATENCY).tags(tags).description("Warehouse transaction time").register(registry);
        freshness = Timer.builder(MetricNames.FRESHNESS).tags(tags).description("Oldest record timestamp to commit, per batch").register(registry);
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

    public void fenced() {
        fenced.increment();
    }

    public void committed(long records, long rows, long bytes, Duration latency, Duration freshnessOfBatch) {
        loaded.increment(records);
        batchRows.record(rows);
        batchBytes.record(bytes);
        commitLatency.record(latency);
        freshness.record(freshnessOfBatch);
    }
}
