package dev.orderpipeline.cdc.replication;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a replicator has done, as {@code /status} reports it and the operator reads it into the
 * CdcSync status. Written by the replicator thread, read by the HTTP server: synchronized.
 */
public final class CdcStatus {
    private final String name;
    private final String mode;
    private String phase = "Starting";
    private long rowsUpserted;
    private long rowsDeleted;
    private long totalRowsUpserted;
    private long totalRowsDeleted;
    private long batchesApplied;
    private Instant lastSyncTime;
    private Long lagSeconds;
    private Long lastFreshnessMillis;
    private String watermark;
    /** The stored watermark this process resumed from: the sync's state row existed before it started. */
    private String resumedFrom;
    private String lastError;
    private boolean ready;
    private boolean stalled;
    private boolean streamStale;
    private Map<String, Object> audit;
    private CdcCost cost = new CdcCost(false);

    public CdcStatus(String name, String mode) {
        this.name = name;
        this.mode = mode;
    }

    /** The cost counters the replicator fills (replaced once the source is known). */
    synchronized CdcCost cost() {
        return cost;
    }

    synchronized void costOf(CdcCost cost) {
        this.cost = cost;
    }

    synchronized void resumed(String phase, String watermark, long totalUpserted, long totalDeleted) {
        this.phase = phase;
        this.watermark = watermark;
        this.totalRowsUpserted = totalUpserted;
        this.totalRowsDeleted = totalDeleted;
    }

    /** The sync's state row existed when this process started: it resumes, it does not snapshot anew. */
    synchronized void resumedStoredState(String watermark) {
        this.resumedFrom = watermark;
    }

    synchronized void applied(String phase, String watermark, long upserted, long deleted, Long lagSeconds,
                              Long freshnessMillis) {
        this.phase = phase;
        this.watermark = watermark;
        rowsUpserted += upserted;
        rowsDeleted += deleted;
        totalRowsUpserted += upserted;
        totalRowsDeleted += deleted;
        batchesApplied++;
        lastSyncTime = Instant.now();
        if (lagSeconds != null) {
            this.lagSeconds = lagSeconds;
        }
        if (freshnessMillis != null) {
            lastFreshnessMillis = freshnessMillis;
        }
        lastError = null;
        ready = true;
    }

    synchronized void caughtUp() {
        lagSeconds = 0L;
        lastError = null;
        ready = true;
    }

    synchronized void failed(String error) {
        lastError = error;
        ready = false;
    }

    synchronized void stalled(String error, boolean staleStream) {
        lastError = error;
        ready = false;
        stalled = true;
        streamStale = staleStream;
        phase = "Stalled";
    }

    synchronized void audited(Map<String, Object> result) {
        audit = result;
    }

    public synchronized boolean isReady() {
        return ready;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(name, mode, phase, rowsUpserted, rowsDeleted, totalRowsUpserted, totalRowsDeleted,
                batchesApplied, lastSyncTime == null ? null : lastSyncTime.toString(), lagSeconds, lastFreshnessMillis,
                watermark, audit == null ? null : new LinkedHashMap<>(audit), stalled, streamStale, lastError,
                cost.snapshot(), resumedFrom);
    }

    /** The JSON body of {@code /status}. */
    public record Snapshot(
            String name,
            String mode,
            String phase,
            long rowsUpserted,
            long rowsDeleted,
            long totalRowsUpserted,
            long totalRowsDeleted,
            long batchesApplied,
            String lastSyncTime,
            Long lagSeconds,
            Long lastFreshnessMillis,
            String watermark,
            Map<String, Object> audit,
            boolean stalled,
            boolean streamStale,
            String lastError,
            Map<String, Object> cost,
            String resumedFrom) {

        /** Without the resumed watermark (a runtime of an older version). */
        public Snapshot(String name, String mode, String phase, long rowsUpserted, long rowsDeleted, long totalRowsUpserted,
                        long totalRowsDeleted, long batchesApplied, String lastSyncTime, Long lagSeconds,
                        Long lastFreshnessMillis, String watermark, Map<String, Object> audit, boolean stalled,
                        boolean streamStale, String lastError, Map<String, Object> cost) {
            this(name, mode, phase, rowsUpserted, rowsDeleted, totalRowsUpserted, totalRowsDeleted, batchesApplied,
                    lastSyncTime, lagSeconds, lastFreshnessMillis, watermark, audit, stalled, streamStale, lastError, cost,
                    null);
        }

        /** Without cost figures (a sync that reported none, e.g. from a runtime of an older version). */
        public Snapshot(String name, String mode, String phase, long rowsUpserted, long rowsDeleted, long totalRowsUpserted,
                        long totalRowsDeleted, long batchesApplied, String lastSyncTime, Long lagSeconds,
                        Long lastFreshnessMillis, String watermark, Map<String, Object> audit, boolean stalled,
                        boolean streamStale, String lastError) {
            this(name, mode, phase, rowsUpserted, rowsDeleted, totalRowsUpserted, totalRowsDeleted, batchesApplied,
                    lastSyncTime, lagSeconds, lastFreshnessMillis, watermark, audit, stalled, streamStale, lastError, null,
                    null);
        }
    }
}
