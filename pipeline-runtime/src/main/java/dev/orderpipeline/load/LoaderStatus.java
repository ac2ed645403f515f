package dev.orderpipeline.load;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a loader has done, as {@code /status} reports it and the operator reads it. Written by the
 * poll thread and the warehouse thread (errors), read by the HTTP server: every accessor is synchronized.
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
    private List<Integer> pausedPartitions = List.of();
    private Instant sinkStalledSince;
    private LoaderState state = LoaderState.STARTING;
    private Instant stateSince = Instant.now();
    private String waitingFor;

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

    /** The partitions not being read right now (the sink is stalled or down, or a partition awaits its stored offset). */
    synchronized void paused(Collection<Integer> partitions) {
        pausedPartitions = partitions.stream().sorted().toList();
    }

    /**
     * Paused partitions wait on the warehouse: a commit started at {@code since} has not returned (or is
     * being retried) while the next batch is due, or stored offsets asked at {@code since} have not
     * arrived; null when nothing waits.
     */
    synchronized void sinkStalled(Instant since) {
        sinkStalledSince = since;
    }

    /** What the loader does now, since when, and what it waits on from the warehouse (null: nothing). */
    synchronized void state(LoaderState current, Instant since, String waitingOn) {
        state = current;
        stateSince = since;
        waitingFor = waitingOn;
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
                new TreeMap<>(committedOffsets), lastError, pausedPartitions,
                sinkStalledSince == null ? null : sinkStalledSince.toString(), state, stateSince.toString(), waitingFor);
    }

    /**
     * The JSON body of {@code /status}.
     *
     * @param pausedPartitions partitions the loader polls but does not read: the sink is stalled (see
     *                         {@code sinkStalledSince}) or failing (see {@code lastError}), or the partition was
     *                         just assigned while a commit runs; empty while reading
     * @param sinkStalledSince since when (ISO-8601) paused partitions wait on the warehouse: the commit in flight
     *                         has not returned (or is being retried) while the next batch is due, or assigned
     *                         partitions' stored offsets have not arrived; null otherwise
     * @param state            what the loader does now (see {@link LoaderState})
     * @param stateSince       since when (ISO-8601)
     * @param waitingFor       what the loader waits on from the warehouse, in words; null when nothing
     */
    public record Snapshot(
            long recordsConsumed,
            long recordsLoaded,
            long recordsDeadLettered,
            long batchesCommitted,
            String lastCommitTime,
            Long lastFreshnessMillis,
            Map<Integer, Long> committedOffsets,
            String lastError,
            List<Integer> pausedPartitions,
            String sinkStalledSince,
            LoaderState state,
            String stateSince,
            String waitingFor) {
    }
}
