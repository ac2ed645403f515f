package dev.orderpipeline.cdc.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderpipeline.cdc.AuditDigest;
import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.cdc.RangeDigest;
import dev.orderpipeline.cdc.Watermarks;
import dev.orderpipeline.cdc.source.ChangeSource;
import dev.orderpipeline.cdc.target.PostgresTarget;
import dev.orderpipeline.cdc.target.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drift audit: count and checksum of key + version, warehouse against PostgreSQL. It runs on its own
 * thread, through its own connections to both sides ({@link Sides}), because digesting a whole table takes
 * seconds that grow with the table (8-19 s at 5M-7M rows in `bench`): on the replicator's thread every
 * change waited behind it. The replicator only says when it is caught up; the audit then compares the
 * target's state and rows, read in one snapshot, with the source digested while it still stands at that
 * watermark, so a difference is drift, not a change in flight. Otherwise the result is inconclusive and
 * retried later.
 */
public final class DriftAudit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriftAudit.class);

    /** The audit's own connections: a source and a target used by no other thread. */
    public record Sides(ChangeSource source, PostgresTarget target) implements AutoCloseable {
        @Override
        public void close() {
            source.close();
            target.close();
        }
    }

    /** The last source digest of a range audit, with the marker read before it and the watermark it covers. */
    private record SourceAudit(String marker, JsonNode watermark, RangeDigest digest) {
    }

    private final CdcConfig config;
    private final Sides sides;
    private final CdcStatus status;
    private final CdcMetrics metrics;
    private final CdcCost cost;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cdc-drift-audit");
        t.setDaemon(true);
        return t;
    });
    private volatile Instant nextAudit = Instant.EPOCH;
    /** How long the last digest of both sides took: a source that changes more often would make it inconclusive. */
    private volatile Duration lastDigest = Duration.ZERO;
    /** Whether the current deferral has been shown on /status (once per deferral, not per cycle). */
    private boolean deferralShown;
    // Touched by the audit thread only.
    private SourceAudit lastSourceAudit;
    /** Whether the audit is computed per key range in SQL; false once the source says it cannot. */
    private boolean rangeAudit;

    DriftAudit(CdcConfig config, Sides sides, CdcStatus status, CdcMetrics metrics, CdcCost cost) {
        this.config = config;
        this.sides = sides;
        this.status = status;
        this.metrics = metrics;
        this.cost = cost;
        this.rangeAudit = sides.source().shape().auditColumns().size() == sides.source().shape().keyColumns().size() + 2;
    }

    /**
     * Called by the replicator when it has caught up with the source at {@code applied}: starts an audit when
     * one is due and none is running, and returns at once. An audit is deferred while the source changed more
     * recently than the last digest took: under a steady stream it could only come back inconclusive, and a
     * digest of a large table takes a core for tens of seconds from the loader and the replicator.
     *
     * @param markerTrusted the source's change marker has been seen to move with its commits, so an unmoved
     *                      marker means an unchanged source
     * @param lastChange when the replicator last applied a change, or null when it has not since it started
     */
    void startIfDue(SyncState applied, boolean markerTrusted, Instant lastChange) {
        if (applied.phase() != SyncState.Phase.INCREMENTAL || Instant.now().isBefore(nextAudit) || running.get()) {
            return;
        }
        Duration quiet = lastChange == null ? null : Duration.between(lastChange, Instant.now());
        if (quiet != null && quiet.compareTo(lastDigest) < 0) {
            if (!deferralShown) {
                deferralShown = true;
                Map<String, Object> result = started();
                result.put("result", "deferred");
                result.put("note", String.format("the source changed %.1f s ago and a digest takes about %.1f s, so it "
                        + "would be inconclusive; the audit runs once the source has stood still that long",
                        quiet.toMillis() / 1000.0, lastDigest.toMillis() / 1000.0));
                status.audited(result);
            }
            return;
        }
        if (!running.compareAndSet(false, true)) {
            return;
        }
        deferralShown = false;
        nextAudit = Instant.now().plus(config.auditInterval());
        try {
            thread.execute(() -> {
                try {
                    audit(applied.watermark(), markerTrusted);
                } catch (Exception e) {
                    String message = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.warn("the drift audit failed, it runs again at the next interval: {}", message);
                    Map<String, Object> result = started();
                    result.put("result", "failed");
                    result.put("note", message);
                    status.audited(result);
                    sides.source().reset();
                    sides.target().reset();
                } finally {
                    sides.source().release();
                    running.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            running.set(false);
        }
    }

    private static Map<String, Object> started() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("time", Instant.now().toString());
        return result;
    }

    private void audit(JsonNode applied, boolean markerTrusted) throws Exception {
        long attemptStarted = System.nanoTime();
        Map<String, Object> result = started();
        ChangeSource source = sides.source();
        PostgresTarget target = sides.target();
        if (config.deletes() == CdcConfig.Deletes.IGNORE) {
            result.put("result", "skipped");
            result.put("note", "deletes=ignore keeps rows the source deleted, so the two sides differ by design");
            status.audited(result);
            return;
        }
        if (!source.billedWarehouse() && !source.caughtUp(applied)) {
            // The source moved past what was applied: a digest now could only be inconclusive. Not on a billed
            // warehouse, where the change marker decides whether the warehouse is asked at all.
            result.put("result", "inconclusive");
            result.put("note", "the source changed since the last apply; the audit runs again later");
            status.audited(result);
            retryAfter(attemptStarted);
            return;
        }
        AuditDigest targetDigest;
        AuditDigest s = null;
        List<String> differing = List.of();
        // The whole audit is counted as one warehouse read (its PostgreSQL side is quick and free), unless the
        // source's digest was reused (-1).
        long auditStarted = System.currentTimeMillis();
        if (rangeAudit) {
            // A trusted marker that has not moved since the last source digest means the source is unchanged:
            // the digest is reused and the warehouse is not asked at all (nor resumed).
            String marker = markerTrusted ? source.changeMarker().orElse(null) : null;
            PostgresTarget.TargetRangeAudit t = target.auditRanges();
            targetDigest = t.digest().summary();
            RangeDigest ranges = null;
            if (marker != null && lastSourceAudit != null && marker.equals(lastSourceAudit.marker())
                    && Watermarks.same(lastSourceAudit.watermark(), t.state().watermark())) {
                ranges = lastSourceAudit.digest();
                result.put("sourceReused", true);
                auditStarted = -1;
            } else if (source.caughtUp(t.state().watermark())) {
                ranges = source.auditRanges().orElse(null);
                if (ranges == null) {
                    rangeAudit = false;
                    nextAudit = Instant.EPOCH;
                    return;
                }
                if (!source.caughtUp(t.state().watermark())) {
                    ranges = null;
                } else if (marker != null) {
                    lastSourceAudit = new SourceAudit(marker, t.state().watermark(), ranges);
                }
            }
            if (ranges != null) {
                s = ranges.summary();
                differing = ranges.differingRanges(t.digest());
            }
            result.put("method", "ranges");
        } else {
            PostgresTarget.TargetAudit t = target.audit();
            targetDigest = t.digest();
            if (source.caughtUp(t.state().watermark())) {
                s = source.audit();
                if (!source.caughtUp(t.state().watermark())) {
                    s = null;
                }
            }
            result.put("method", "rows");
        }
        if (auditStarted >= 0) {
            cost.read(auditStarted, System.currentTimeMillis());
        }
        lastDigest = Duration.ofNanos(System.nanoTime() - attemptStarted);
        result.put("targetRows", targetDigest.rows());
        result.put("targetChecksum", targetDigest.checksumHex());
        if (s == null) {
            result.put("result", "inconclusive");
            result.put("note", "the source changed during the audit; it runs again later");
            retryAfter(attemptStarted);
        } else {
            boolean inSync = s.equals(targetDigest);
            result.put("sourceRows", s.rows());
            result.put("sourceChecksum", s.checksumHex());
            result.put("result", inSync ? "in-sync" : "drift");
            if (!differing.isEmpty()) {
                // The key-hash ranges (first two hex digits of md5 of the key's text) that differ: at most 16 shown.
                result.put("driftedRanges", differing.size() > 16 ? differing.subList(0, 16) : differing);
                result.put("driftedRangeCount", differing.size());
            }
            metrics.audited(Math.abs(s.rows() - targetDigest.rows()), !inSync);
            if (!inSync) {
                LOG.warn("drift: source {} rows (checksum {}), PostgreSQL {} rows (checksum {}); ranges {}", s.rows(),
                        s.checksumHex(), targetDigest.rows(), targetDigest.checksumHex(), differing);
            }
        }
        status.audited(result);
    }

    /**
     * Schedules an inconclusive audit again: after five intervals, or ten times what this attempt took if
     * longer, so that an audit that keeps finding the source moving uses at most about a tenth of a core.
     */
    private void retryAfter(long attemptStartedNanos) {
        Duration spent = Duration.ofNanos(System.nanoTime() - attemptStartedNanos);
        Duration wait = config.interval().multipliedBy(5);
        if (spent.multipliedBy(10).compareTo(wait) > 0) {
            wait = spent.multipliedBy(10);
        }
        nextAudit = Instant.now().plus(wait);
    }

    /**
     * Stops the audit thread. An audit in flight is waited for (its queries cannot be interrupted); if it
     * does not end in time, its connections are left to close with the process rather than pulled from
     * under a running query.
     */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (thread.awaitTermination(10, TimeUnit.SECONDS)) {
                sides.close();
            } else {
                LOG.info("a drift audit is still running; its connections close with the process");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
