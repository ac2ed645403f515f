package dev.orderpipeline.cdc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** The replicator's meters, tagged with the sync, its source mode and the target table. */
public final class CdcMetrics {
    public static final String ROWS_UPSERTED = "orderpipeline.cdc.rows.upserted";
    public static final String ROWS_DELETED = "orderpipeline.cdc.rows.deleted";
    public static final String BATCHES = "orderpipeline.cdc.batches";
    public static final String ERRORS = "orderpipeline.cdc.errors";
    public static final String APPLY_LATENCY = "orderpipeline.cdc.apply.latency";
    public static final String FRESHNESS = "orderpipeline.cdc.freshness";
    public static final String LAG_SECONDS = "orderpipeline.cdc.lag.seconds";
    public static final String DRIFT_ROWS = "orderpipeline.cdc.drift.rows";
    public static final String DRIFT_DETECTED = "orderpipeline.cdc.drift.detected";
    public static final String STREAM_STALE = "orderpipeline.cdc.stream.stale";

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
        Tags tags = Tags.of("sync", sync, "mode", mode, "target", target);
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
