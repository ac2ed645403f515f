package dev.orderpipeline.load;

import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.source.DeadLetterPublisher;
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
    private long recordsRefused;
    private Instant retryingSince;
    private Instant deadLetterUnavailableSince;
    private Instant schemaRegistryUnavailableSince;
    private long offsetResets;
    private OffsetReset lastOffsetReset;
    private List<Integer> outOfRangePartitions = List.of();
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
        retryingSince = null;
        ready = true;
    }

    /** A failure the loader retries: said until the next commit (retryingSince marks when the run of failures began). */
    synchronized void failed(String error) {
        lastError = error;
        ready = false;
        if (retryingSince == null) {
            retryingSince = Instant.now();
        }
    }

    /** A record whose row the warehouse refused (also counted as dead-lettered). */
    synchronized void refused() {
        recordsRefused++;
        recordsDeadLettered++;
    }

    /** The dead-letter topic does not take records since {@code since}; null once it does again. */
    synchronized void deadLetterUnavailable(Instant since, String why) {
        deadLetterUnavailableSince = since;
        if (since != null) {
            lastError = why;
        }
    }

    /** The Schema Registry does not answer since {@code since} (the cause goes to lastError); null once it does again. */
    synchronized void schemaRegistryUnavailable(Instant since) {
        schemaRegistryUnavailableSince = since;
    }

    /** A partition's offset was found outside its log and handled by the policy (OPL_KAFKA_OFFSET_RESET). */
    synchronized void offsetOutOfRange(OffsetReset reset, Collection<Integer> heldPartitions, String error) {
        offsetResets++;
        lastOffsetReset = reset;
        outOfRangePartitions = heldPartitions.stream().sorted().toList();
        if (error != null) {
            lastError = error;
        }
    }

    /** The partitions held by OPL_KAFKA_OFFSET_RESET=fail, after a rebalance took some away. */
    synchronized void outOfRange(Collection<Integer> heldPartitions) {
        outOfRangePartitions = heldPartitions.stream().sorted().toList();
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

    /** What the dead-letter publisher reports, into this status and the metrics. */
    public DeadLetterPublisher.Watcher deadLetterWatcher(LoaderMetrics metrics) {
        return new DeadLetterPublisher.Watcher() {
            @Override
            public void unavailable(Instant since, String why) {
                deadLetterUnavailable(since, why);
                metrics.deadLetterUnavailable(true);
            }

            @Override
            public void available() {
                deadLetterUnavailable(null, null);
                metrics.deadLetterUnavailable(false);
            }

            @Override
            public void sendsFailed(int records) {
                metrics.deadLetterSendsFailed(records);
            }
        };
    }

    public synchronized boolean isReady() {
        return ready;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(recordsConsumed, recordsLoaded, recordsDeadLettered, batchesCommitted,
                lastCommitTime == null ? null : lastCommitTime.toString(), lastFreshnessMillis,
                new TreeMap<>(committedOffsets), lastError, pausedPartitions,
                sinkStalledSince == null ? null : sinkStalledSince.toString(),
                recordsRefused, retryingSince == null ? null : retryingSince.toString(),
                deadLetterUnavailableSince == null ? null : deadLetterUnavailableSince.toString(),
                offsetResets, lastOffsetReset, outOfRangePartitions, state, stateSince.toString(), waitingFor,
                schemaRegistryUnavailableSince == null ? null : schemaRegistryUnavailableSince.toString());
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
     * @param recordsRefused records whose row the warehouse refused (a constraint, a value it cannot take), found
     *                       by bisecting the batch and dead-lettered with the database's message; also counted in
     *                       {@code recordsDeadLettered}
     * @param retryingSince when the current run of failed attempts (warehouse, dead-letter topic) began, with
     *                      {@code lastError} saying why; null once a batch commits
     * @param deadLetterUnavailableSince since when the dead-letter topic does not take records (the batches that
     *                                   skipped them wait, nothing is lost); null while it does
     * @param offsetResets how many times a partition's offset was found outside its log (OPL_KAFKA_OFFSET_RESET)
     * @param lastOffsetReset the last of them, with what was done
     * @param outOfRangePartitions partitions not read because OPL_KAFKA_OFFSET_RESET=fail and their offset is outside
     *                             the log; {@code lastError} says how to resume
     * @param state            what the loader does now (see {@link LoaderState})
     * @param stateSince       since when (ISO-8601)
     * @param waitingFor       what the loader waits on (the warehouse, the Schema Registry), in words; null when nothing
     * @param schemaRegistryUnavailableSince since when the Schema Registry does not answer (the record that needs it
     *                                       and those after it are read again after a backoff, none is skipped;
     *                                       {@code lastError} says why); null while it answers
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
            long recordsRefused,
            String retryingSince,
            String deadLetterUnavailableSince,
            long offsetResets,
            OffsetReset lastOffsetReset,
            List<Integer> outOfRangePartitions,
            LoaderState state,
            String stateSince,
            String waitingFor,
            String schemaRegistryUnavailableSince) {

        /** A snapshot of a loader that reads no Schema Registry format. */
        public Snapshot(long recordsConsumed, long recordsLoaded, long recordsDeadLettered, long batchesCommitted,
                        String lastCommitTime, Long lastFreshnessMillis, Map<Integer, Long> committedOffsets,
                        String lastError, List<Integer> pausedPartitions, String sinkStalledSince, long recordsRefused,
                        String retryingSince, String deadLetterUnavailableSince, long offsetResets,
                        OffsetReset lastOffsetReset, List<Integer> outOfRangePartitions, LoaderState state,
                        String stateSince, String waitingFor) {
            this(recordsConsumed, recordsLoaded, recordsDeadLettered, batchesCommitted, lastCommitTime,
                    lastFreshnessMillis, committedOffsets, lastError, pausedPartitions, sinkStalledSince, recordsRefused,
                    retryingSince, deadLetterUnavailableSince, offsetResets, lastOffsetReset, outOfRangePartitions,
                    state, stateSince, waitingFor, null);
        }
    }

    /**
     * A partition whose offset was outside its log.
     *
     * @param fetchOffset the offset the loader asked for
     * @param storedOffset the partition's offset in the warehouse (-1: never committed)
     * @param logStart the log's first offset then; {@code logEnd} its end
     * @param policy OPL_KAFKA_OFFSET_RESET then; {@code action} what was done ("held", "seek to 150")
     */
    public record OffsetReset(int partition, long fetchOffset, long storedOffset, long logStart, long logEnd,
                              String policy, String action, String at) {
    }
}
