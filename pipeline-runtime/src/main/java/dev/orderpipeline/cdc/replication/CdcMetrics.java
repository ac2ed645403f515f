package dev.orderpipeline.cdc.replication;

import dev.orderpipeline.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** The replicator's meters, tagged with the sync, its source mode and the target table; names in {@link MetricNames}. */
public final class CdcMetrics {
    public static final String ROWS_UPSERTED = MetricNames.CDC_ROWS_UPSERTED;
    public static final String ROWS_DELETED = MetricNames.CDC_ROWS_DELETED;
    public static final String BATCHES = MetricNames.CDC_BATCHES;
    public static final String ERRORS = MetricNames.CDC_ERRORS;
    public static final String APPLY_LATENCY = MetricNames.CDC_APPLY_LATENCY;
    public static final String FRESHNESS = MetricNames.CDC_FRESHNESS;
    public static final String LAG_SECONDS = MetricNames.CDC_LAG_SECONDS;
    public static final String DRIFT_ROWS = MetricNames.CDC_DRIFT_ROWS;
    public static final String DRIFT_DETECTED = MetricNames.CDC_DRIFT_DETECTED;
    public static final String STREAM_STALE = MetricNames.CDC_STREAM_STALE;

    private final Counter upserted;
    private final Counter deleted;
    private final Counter batches;
    private final Counter errors;
    private final Timer applyLatency;
    private final Timer freshness;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong driftRows = new AtomicLong();
    private final AtomicLong driftDetected = new AtomicLong();
    private final AtomicLong streamStale = new AtomicLong();

    public CdcMetrics(MeterRegistry registry, String sync, String mode, String target) {
        Tags tags = Tags.of(MetricNames.TAG_SYNC, sync, MetricNames.TAG_MODE, mode, MetricNames.TAG_TARGET, target);
        upserted = Counter.builder(ROWS_UPSERTED).tags(tags).description("Rows inserted or updated in PostgreSQL").register(registry);
        deleted = Counter.builder(ROWS_DELETED).tags(tags).description("Rows deleted in PostgreSQL").register(registry);
        batches = Counter.builder(BATCHES).tags(tags).description("PostgreSQL transactions committed").register(registry);
        errors = Counter.builder(ERRORS).tags(tags).description("Failed cycles (retried with backoff)").register(registry);
        applyLatency = Timer.builder(APPLY_LATENCY).tags(tags).description("PostgreSQL apply transaction time").register(registry);
        freshness = Timer.builder(FRESHNESS).tags(tags).description("Oldest change of a batch: produced to visible in PostgreSQL").register(registry);
        Gauge.builder(LAG_SECONDS, lag, AtomicLong::get).tags(tags).description("Warehouse commit to PostgreSQL commit, oldest change of the last batch").register(registry);
        Gauge.builder(DRIFT_ROWS, driftRows, AtomicLong::get).tags(tags).description("Row count difference found by the last audit").register(registry);
        Gauge.builder(DRIFT_DETECTED, driftDetected, AtomicLong::get).tags(tags).description("1 when the last conclusive audit found a difference").register(registry);
        Gauge.builder(STREAM_STALE, streamStale, AtomicLong::get).tags(tags).description("1 when the Snowflake stream is stale").register(registry);
    }

    void applied(ApplyCounts counts, Duration latency, Long freshnessMillis, Long lagSeconds) {
        upserted.increment(counts.upserted());
        deleted.increment(counts.deleted());
        batches.increment();
        applyLatency.record(latency);
        if (freshnessMillis != null) {
            freshness.record(Duration.ofMillis(freshnessMillis));
        }
        if (lagSeconds != null) {
            lag.set(lagSeconds);
        }
    }

    record ApplyCounts(long upserted, long deleted) {
    }

    void caughtUp() {
        lag.set(0);
    }

    void error() {
        errors.increment();
    }

    void audited(long rowDifference, boolean drift) {
        driftRows.set(rowDifference);
        driftDetected.set(drift ? 1 : 0);
    }

    void streamStale() {
        streamStale.set(1);
    }
}
