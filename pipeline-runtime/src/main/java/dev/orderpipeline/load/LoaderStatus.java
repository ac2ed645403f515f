package dev.orderpipeline.load;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a loader has done, as {@code /status} reports it and the operator reads it. Written by the
 * loader thread, read by the HTTP server: every accessor is synchronized.
 */
public final class LoaderStatus {
    private long recordsConsumed;
    private long recordsLoaded;
    private long recordsDeadLettered;
    private long batchesCommitted;
    private Instant lastCommitTime;
    private Long lastFreshnessMillis;
    private final Map<Integer, Long> committedOffsets = new TreeMap<>();
    private String lastError;
    private boolean ready;

    synchronized void consumed(int records) {
        recordsConsumed += records;
    }

    synchronized void deadLettered() {
        recordsDeadLettered++;
    }

    synchronized void committed(long records, Map<Integer, Long> offsets, Instant at, long freshnessMillis) {
        recordsLoaded += records;
        batchesCommitted++;
        committedOffsets.putAll(offsets);
        lastCommitTime = at;
        lastFreshnessMillis = freshnessMillis;
        lastError = null;
        ready = true;
    }

    synchronized void failed(String error) {
        lastError = error;
        ready = false;
    }

    synchronized void ready(boolean value) {
        ready = value;
    }

    /** Partitions just assigned: their committed position is what the warehouse stores. */
    synchronized void resumed(Map<Integer, Long> storedOffsets) {
        storedOffsets.forEach((partition, offset) -> {
            if (offset >= 0) {
                committedOffsets.put(partition, offset);
            }
        });
    }

    synchronized void forget(Iterable<Integer> partitions) {
        partitions.forEach(committedOffsets::remove);
    }

    public synchronized boolean isReady() {
        return ready;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(recordsConsumed, recordsLoaded, recordsDeadLettered, batchesCommitted,
                lastCommitTime == null ? null : lastCommitTime.toString(), lastFreshnessMillis,
                new TreeMap<>(committedOffsets), lastError);
    }

    /** The JSON body of {@code /status}. */
    public record Snapshot(
            long recordsConsumed,
            long recordsLoaded,
            long recordsDeadLettered,
            long batchesCommitted,
            String lastCommitTime,
            Long lastFreshnessMillis,
            Map<Integer, Long> committedOffsets,
            String lastError) {
    }
}
