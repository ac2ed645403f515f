package dev.orderpipeline.load;

import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.source.RecordConversionException;
import dev.orderpipeline.source.RecordConverter;
import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.FencedException;
import dev.orderpipeline.warehouse.OffsetAdvance;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.SqlIdentifier;
import dev.orderpipeline.warehouse.TableShape;
import dev.orderpipeline.warehouse.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once loop: poll, convert, batch, and commit rows together with the partitions'
 * offsets in one warehouse transaction. The warehouse's offsets are the truth: on assignment the
 * loader seeks to them, and each commit moves them only from the value this loader last saw, so a
 * loader that lost its partitions (a zombie) cannot commit. Kafka's group offsets are committed
 * afterwards, for lag monitoring only.
 *
 * <p>A stalled sink (a commit that blocks rather than fails: a locked table, a suspended warehouse, a
 * hung connection) never stops the poll thread: when the next batch is due and the previous commit
 * has not returned, every assigned partition is paused and polling goes on, so the group keeps this
 * member and memory stays at about two batches plus the consumer's fetch buffers. The partitions
 * resume when the commit returns.
 */
public final class Loader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    /** While stalled, how long the poll thread waits on the commit between two polls. */
    private static final long STALL_SLICE_MILLIS = 100;
    /** A stall is logged at WARN once the commit has run this long. */
    private static final Duration STALL_WARNING = Duration.ofSeconds(10);
    /**
     * How long a revocation waits for the running commit, to hand over with everything committed; well
     * under the consumer's max.poll.interval.ms (300 s), as the wait blocks inside poll().
     */
    private static final Duration HANDOVER_WAIT = Duration.ofSeconds(5);

    private final LoaderConfig config;
    private final Warehouse warehouse;
    private final Consumer<byte[], byte[]> consumer;
    private final Optional<DeadLetterPublisher> deadLetters;
    private final LoaderStatus status;
    private final LoaderMetrics metrics;
    /** Writes a batch taking out the rows the warehouse refuses (poison isolation). */
    private final PoisonIsolation poison;
    /** Offsets outside the log: OPL_KAFKA_OFFSET_RESET. */
    private final OutOfRangeHandler outOfRange;
    /** Records being gathered while the previous batch commits on {@link #committer}. */
    private PendingBatch pending = new PendingBatch();
    /** At most one batch commits at a time; polling and parsing the next one overlap with it. */
    private final ExecutorService committer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "loader-commit");
        t.setDaemon(true);
        return t;
    });
    private InFlight inFlight;
    /** The stored offset each assigned partition is expected to hold: the compare side of the CAS. */
    private final Map<Integer, Long> expectedOffsets = new HashMap<>();
    private final long maxLatencyNanos;
    /** Assigned while a commit ran (the warehouse session was busy): paused until positioned at their stored offsets. */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    /** The partitions are paused because the next batch is due and the commit in flight has not returned. */
    private boolean stalled;
    private long stalledSinceNanos;
    private boolean stallWarned;

    private TableShape shape;
    private RecordConverter converter;
    private List<SqlIdentifier> keyColumns;
    private volatile boolean stopping;
    private boolean retrying;

    public Loader(LoaderConfig config, Warehouse warehouse, Consumer<byte[], byte[]> consumer,
                  Optional<DeadLetterPublisher> deadLetters, LoaderStatus status, LoaderMetrics metrics) {
        this.config = config;
        this.warehouse = warehouse;
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.status = status;
        this.metrics = metrics;
        this.maxLatencyNanos = config.batch().maxLatency().toNanos();
        this.poison = new PoisonIsolation(warehouse, deadLetters, config.errorTolerance(), config.source().topic(), status, metrics);
        this.outOfRange = new OutOfRangeHandler(config.source(), consumer, status, metrics);
    }

    /** Asks the loop to flush, commit and return; safe from any thread (a shutdown hook). */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        openWarehouse();
        consumer.subscribe(List.of(config.source().topic()), new Rebalance());
        try {
            while (!stopping) {
                long timeoutMs = Math.max(1, Math.min(200, pending.nanosUntilDue(System.nanoTime(), maxLatencyNanos) / 1_000_000));
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(timeoutMs));
                } catch (WakeupException e) {
                    break;
                } catch (InvalidOffsetException e) { // offsets out of range: OPL_KAFKA_OFFSET_RESET
                    outOfRange.handle(e, expectedOffsets, unpositioned);
                    continue;
                }
                accept(records);
                if (inFlight != null && inFlight.result().isDone()) {
                    awaitInFlight(true); // settle it now: status, metrics and group offsets follow the commit
                }
                if (pending.isDue(System.nanoTime(), config.batch().maxRecords(), config.batch().maxBytes(), maxLatencyNanos)) {
                    if (inFlight == null || commitReturnsWithin(STALL_SLICE_MILLIS)) {
                        submitPending();
                    } else {
                        holdWhileStalled();
                    }
                }
            }
            flush();
        } finally {
            committer.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
            deadLetters.ifPresent(DeadLetterPublisher::close);
            warehouse.close();
        }
    }

    private void openWarehouse() {
        Backoff backoff = new Backoff(MIN_BACKOFF, config.retryMaxBackoff());
        while (true) {
            try {
                shape = new TableShape(warehouse.open());
                warehouse.syncShape(shape);
                converter = new RecordConverter(shape, config.sink().keyFields(),
                        warehouse.limits().cappedAt(config.maxColumns()));
                keyColumns = converter.keyColumns();
                status.ready(true);
                return;
            } catch (Exception e) {
                if (stopping) {
                    throw new LoaderStoppedException("stopped before the warehouse could be opened: " + e.getMessage());
                }
                noteWarehouseError("opening the warehouse", e);
                warehouse.reset();
                sleep(backoff.next());
            }
        }
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        status.consumed(records.count());
        metrics.consumed(records.count());
        long now = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                int size = (record.value() == null ? 0 : record.value().length) + (record.key() == null ? 0 : record.key().length);
                pending.add(converter.convert(record), size, now, record.timestamp());
            } catch (RecordConversionException e) {
                rejectRecord(record, e, now);
            }
        }
    }

    private void rejectRecord(ConsumerRecord<byte[], byte[]> record, RecordConversionException error, long now) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (config.errorTolerance() == LoaderConfig.ErrorTolerance.NONE || deadLetters.isEmpty()) {
            // Commit what came before the bad record; nothing after it has been accepted.
            if (!retrying) {
                flush();
            }
            throw new LoaderStoppedException("record " + where + " cannot be loaded: " + error.getMessage()
                    + ". OPL_ERROR_TOLERANCE=none stops the loader here with nothing committed past it; fix or skip "
                    + "the record, or set OPL_ERROR_TOLERANCE=all with OPL_DEAD_LETTER_TOPIC to dead-letter it");
        }
        LOG.debug("record {} goes to the dead-letter topic: {}", where, error.getMessage());
        deadLetters.get().send(record, error);
        status.deadLettered();
        metrics.deadLettered();
        pending.skip(record.partition(), record.offset(), now, record.timestamp());
    }

    /** Waits a little for the commit in flight; true once it has returned (committed or failed). */
    private boolean commitReturnsWithin(long millis) {
        try {
            inFlight.result().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // settled by awaitInFlight
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoaderStoppedException("interrupted while committing");
        }
    }

    /**
     * The next batch is due but the previous commit has not returned: pause every assigned partition
     * (again after a rebalance) and go back to polling. Polling keeps this member in the group; paused
     * partitions return nothing, so memory stays bounded. {@link #endStall} resumes them.
     */
    private void holdWhileStalled() {
        long now = System.nanoTime();
        Set<TopicPartition> toPause = new HashSet<>(consumer.assignment());
        toPause.removeAll(consumer.paused());
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        notePaused();
        Duration running = Duration.ofNanos(now - inFlight.startedNanos());
        if (!stalled) {
            stalled = true;
            stallWarned = false;
            stalledSinceNanos = now;
            status.sinkStalled(Instant.now().minus(running));
            LOG.debug("next batch due while the previous commit runs ({} ms): partitions paused", running.toMillis());
        }
        if (!stallWarned && running.compareTo(STALL_WARNING) >= 0) {
            stallWarned = true;
            LOG.warn("the warehouse has been committing a batch of {} records for {} s without returning (a lock, a suspended "
                            + "warehouse, a hung connection?); partitions {} paused, {} records waiting, still polling so the group "
                            + "keeps this loader", inFlight.records().records(), running.toSeconds(),
                    partitionsOf(consumer.paused()).stream().sorted().toList(), pending.records());
        }
    }

    /** The commit that stalled has returned (committed or not): read again. */
    private void endStall() {
        if (!stalled) {
            return;
        }
        stalled = false;
        status.sinkStalled(null);
        resumeAll();
        if (stallWarned) {
            LOG.info("the warehouse returned; partitions resumed after {} ms paused",
                    Duration.ofNanos(System.nanoTime() - stalledSinceNanos).toMillis());
        }
    }

    /** Resumes every paused partition that knows where to read from. */
    private void resumeAll() {
        Set<TopicPartition> toResume = new HashSet<>(consumer.paused());
        toResume.removeAll(unpositioned);
        toResume.removeAll(outOfRange.held()); // OPL_KAFKA_OFFSET_RESET=fail: not read while assigned
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
        notePaused();
    }

    private void notePaused() {
        Set<TopicPartition> paused = consumer.paused();
        status.paused(partitionsOf(paused));
        metrics.pausedPartitions(paused.size());
    }

    /**
     * Hands the pending records to the committer and starts gathering the next batch. The previous
     * commit must have finished first: the new batch's compare-and-set starts from its offsets.
     */
    private void submitPending() {
        if (!awaitInFlight(true) || pending.isEmpty()) {
            return;
        }
        PendingBatch frozen = pending;
        pending = new PendingBatch();
        Batch batch = toBatch(frozen);
        long started = System.nanoTime();
        // Poison isolation: dead letters are awaited and refused rows taken out on the committer, not here.
        Future<CommitOutcome> result = committer.submit(() -> poison.writeIsolatingPoison(batch, frozen.rows()));
        inFlight = new InFlight(frozen, batch, result, started);
    }

    /**
     * Waits for the batch being committed, if any, and settles its outcome; true when it committed.
     * When it did not, the records gathered after it are dropped and the partitions rewound, so that
     * nothing is committed past a gap. Inside a rebalance callback there is no retrying
     * ({@code mayRetry} false): polling is not allowed there.
     */
    private boolean awaitInFlight(boolean mayRetry) {
        if (inFlight == null) {
            return true;
        }
        InFlight current = inFlight;
        Throwable failure = null;
        CommitOutcome outcome = null;
        try {
            outcome = current.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoaderStoppedException("interrupted while committing");
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        inFlight = null;
        // The warehouse session is free again: position partitions assigned meanwhile, then read again.
        if (failure == null) {
            committed(current.records(), outcome, current.startedNanos());
            positionUnpositioned();
            endStall();
            return true;
        }
        if (failure instanceof FencedException fenced) {
            fenced(fenced);
            positionUnpositioned();
            endStall();
            return false;
        }
        if (failure instanceof LoaderStoppedException stop) { // a refused record with nowhere to put it
            throw stop;
        }
        noteWarehouseError("committing a batch of " + current.records().records() + " records", failure);
        warehouse.reset();
        endStall();
        // Partitions revoked while it ran are the new owner's now: retry only what is still ours.
        current.records().dropPartitions(notAssigned(current.records().nextOffsets().keySet()));
        boolean committed = mayRetry && commitWithRetry(current.records());
        if (!committed) {
            rewindToCommitted();
        }
        positionUnpositioned();
        return committed;
    }

    private List<Integer> notAssigned(Collection<Integer> partitions) {
        List<Integer> assigned = currentPartitions();
        return partitions.stream().filter(p -> !assigned.contains(p)).toList();
    }

    /** Partitions assigned while a commit ran get their stored offsets now (and are resumed). */
    private void positionUnpositioned() {
        if (!unpositioned.isEmpty()) {
            seekToStoredOffsets(partitionsOf(new ArrayList<>(unpositioned)));
        }
    }

    /** Forgets every uncommitted record and seeks back to the last committed offsets (known in memory). */
    private void rewindToCommitted() {
        pending.clear();
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (unpositioned.contains(tp)) {
                continue; // never read: positioned at its stored offset once the warehouse is free
            }
            long offset = expectedOffsets.getOrDefault(tp.partition(), -1L);
            if (offset >= 0) {
                consumer.seek(tp, offset);
            } else {
                fresh.add(tp);
            }
        }
        seekFresh(fresh);
    }

    /** Commits whatever is pending now, on this thread: at shutdown, at a handover, before stopping. */
    private void flush() {
        if (awaitInFlight(true)) {
            commitWithRetry(pending);
        }
    }

    /** Commits one batch, retrying transient failures with capped backoff; false when fenced or stopped first. */
    private boolean commitWithRetry(PendingBatch records) {
        if (records.isEmpty()) {
            return true;
        }
        Backoff backoff = new Backoff(MIN_BACKOFF, config.retryMaxBackoff());
        retrying = true;
        try {
            while (!records.isEmpty()) {
                try {
                    commitNow(records);
                    return true;
                } catch (FencedException e) {
                    records.clear();
                    fenced(e);
                    return false;
                } catch (LoaderStoppedException e) { // a refused record with nowhere to put it
                    throw e;
                } catch (Exception e) {
                    noteWarehouseError("committing a batch of " + records.records() + " records", e);
                    warehouse.reset();
                    if (stopping) {
                        LOG.warn("stopping with {} uncommitted records; they will be read again", records.records());
                        return false;
                    }
                    waitKeepingMembership(backoff.next());
                }
            }
            return true;
        } finally {
            retrying = false;
            resumeAll();
        }
    }

    private void commitNow(PendingBatch records) throws Exception {
        Batch batch = toBatch(records);
        long started = System.nanoTime();
        CommitOutcome outcome = poison.writeIsolatingPoison(batch, records.rows()); // poison isolation
        committed(records, outcome, started);
    }

    /** Another loader owns a partition now: nothing pending is valid; resume from the warehouse's offsets. */
    private void fenced(FencedException e) {
        LOG.warn("commit rolled back: {}; resuming from the warehouse's offsets", e.getMessage());
        metrics.fenced();
        pending.clear();
        seekToStoredOffsets(currentPartitions());
    }

    private Batch toBatch(PendingBatch records) {
        Map<Integer, OffsetAdvance> advances = new HashMap<>();
        records.nextOffsets().forEach((partition, next) ->
                advances.put(partition, new OffsetAdvance(expectedOffsets.getOrDefault(partition, -1L), next)));
        // Append mode hands the pending list over as is: a PendingBatch is not touched while its batch is in
        // flight (submitPending replaces it; only awaitInFlight, after the commit returned, clears or trims it).
        // No rows (every record dead-lettered): nothing to deduplicate, and the key column may not exist yet.
        List<Row> rows = keyColumns.isEmpty() || records.rows().isEmpty() ? records.rows()
                : KeyDeduplicator.lastWins(records.rows(), keyIndexes());
        return new Batch(config.pipelineName(), config.source().topic(), shape.snapshot(), keyColumns, rows, advances,
                System.currentTimeMillis());
    }

    private void committed(PendingBatch records, CommitOutcome outcome, long startedNanos) {
        Batch batch = outcome.committed();
        Duration latency = Duration.ofNanos(System.nanoTime() - startedNanos);
        Duration freshness = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - records.oldestTimestampMillis()));
        Map<Integer, Long> offsets = new HashMap<>(records.nextOffsets());
        offsets.keySet().retainAll(currentPartitions()); // a partition revoked while this commit ran is not ours to track
        expectedOffsets.putAll(offsets);
        long loaded = records.loadedRecords() - outcome.refused(); // refused rows were dead-lettered
        if (records.skipped() > 0) {
            LOG.warn("{} records of this batch went to the dead-letter topic", records.skipped());
        }
        status.committed(loaded, offsets, Instant.ofEpochMilli(batch.committedAtMillis()), freshness.toMillis());
        metrics.committed(loaded, batch.rows().size(), records.bytes(), latency, freshness);
        records.clear();
        commitGroupOffsets(offsets);
    }

    /** A batch handed to the committer thread. */
    private record InFlight(PendingBatch records, Batch batch, Future<CommitOutcome> result, long startedNanos) {
    }

    private int[] keyIndexes() {
        int[] indexes = new int[keyColumns.size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = shape.indexOf(keyColumns.get(i)).orElseThrow();
        }
        return indexes;
    }

    /** For lag monitoring only: the warehouse's offsets decide where a loader resumes. */
    private void commitGroupOffsets(Map<Integer, Long> committed) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        committed.forEach((p, next) -> {
            TopicPartition tp = new TopicPartition(config.source().topic(), p);
            if (consumer.assignment().contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
        });
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    LOG.debug("group offset commit failed (lag monitoring only): {}", e.toString());
                }
            });
        }
    }

    /**
     * Waits out a backoff while polling with every partition paused, so the group keeps this
     * member and memory stays bounded: nothing new is fetched while the warehouse is down.
     */
    private void waitKeepingMembership(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!stopping && System.nanoTime() < deadline) {
            if (!consumer.paused().containsAll(consumer.assignment())) {
                consumer.pause(consumer.assignment());
                notePaused();
            }
            try {
                accept(consumer.poll(Duration.ofMillis(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)))));
            } catch (WakeupException e) {
                return;
            } catch (InvalidOffsetException e) { // offsets out of range: OPL_KAFKA_OFFSET_RESET
                outOfRange.handle(e, expectedOffsets, unpositioned);
            }
        }
    }

    private void noteWarehouseError(String what, Throwable e) {
        String message = what + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warn("{} (will retry)", message);
        status.failed(message);
        metrics.warehouseError();
    }

    private List<Integer> currentPartitions() {
        List<Integer> partitions = new ArrayList<>();
        consumer.assignment().forEach(tp -> partitions.add(tp.partition()));
        return partitions;
    }

    private void seekToStoredOffsets(Collection<Integer> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Backoff backoff = new Backoff(MIN_BACKOFF, config.retryMaxBackoff());
        Map<Integer, Long> stored;
        while (true) {
            try {
                stored = warehouse.storedOffsets(config.pipelineName(), config.source().topic(), partitions);
                break;
            } catch (Exception e) {
                noteWarehouseError("reading stored offsets", e);
                warehouse.reset();
                if (stopping) {
                    throw new LoaderStoppedException("stopped while the warehouse was unreachable");
                }
                sleep(backoff.next());
            }
        }
        List<TopicPartition> positioned = unpositioned.stream().filter(tp -> partitions.contains(tp.partition())).toList();
        unpositioned.removeAll(positioned);
        List<TopicPartition> fresh = new ArrayList<>();
        for (int partition : partitions) {
            long offset = stored.getOrDefault(partition, -1L);
            TopicPartition tp = new TopicPartition(config.source().topic(), partition);
            expectedOffsets.put(partition, offset);
            if (offset >= 0) {
                consumer.seek(tp, offset);
            } else {
                fresh.add(tp);
            }
        }
        seekFresh(fresh);
        if (!positioned.isEmpty()) {
            consumer.resume(positioned);
            notePaused();
        }
        status.resumed(stored);
        LOG.info("resuming partitions {} from the warehouse's offsets {}", partitions, stored);
    }

    /** Partitions the pipeline never committed start where the configuration says. */
    private void seekFresh(List<TopicPartition> fresh) {
        if (fresh.isEmpty()) {
            return;
        }
        if (config.source().startPosition() == KafkaSourceConfig.StartPosition.LATEST) {
            consumer.seekToEnd(fresh);
        } else {
            consumer.seekToBeginning(fresh);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoaderStoppedException("interrupted");
        }
    }

    private boolean commitReturnsWithin(Duration wait) {
        return inFlight == null || commitReturnsWithin(wait.toMillis());
    }

    private static List<Integer> partitionsOf(Collection<TopicPartition> tps) {
        return tps.stream().map(TopicPartition::partition).toList();
    }

    /** Hands partitions over cleanly: commit what is pending for revoked ones, seek new ones to the stored offsets. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            List<Integer> partitions = partitionsOf(revoked);
            boolean settled = retrying || commitReturnsWithin(HANDOVER_WAIT);
            if (!settled) {
                // The sink is stalled. Committing what is pending now would commit past the unsettled batch (a gap),
                // on the session that batch holds: hand the partitions over uncommitted instead. The new owner
                // resumes from the warehouse's offsets; whichever commit comes second fails its compare-and-set.
                LOG.warn("handing over partitions {} while a commit has run for {} s: their records gathered since are "
                        + "dropped, the new owner reads them again from the warehouse's offsets", partitions,
                        Duration.ofNanos(System.nanoTime() - inFlight.startedNanos()).toSeconds());
            } else if (!retrying) {
                awaitInFlight(false);
            }
            if (settled && !retrying && !pending.isEmpty()) {
                try {
                    commitNow(pending);
                } catch (Exception e) {
                    // The new owner starts from the stored offsets; nothing is lost by not committing here.
                    LOG.info("could not commit before handing over {}: {}", partitions, e.toString());
                    if (e instanceof FencedException fencedOut) {
                        fenced(fencedOut);
                    } else {
                        warehouse.reset();
                    }
                }
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            forget(partitionsOf(lost));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return; // the cooperative protocol calls this after every rebalance
            }
            if (!retrying && inFlight != null && !inFlight.result().isDone()) {
                // The warehouse session is the committer's until its commit returns, which may take long (a
                // stalled sink): do not wait inside poll(). Read nothing from them until they are positioned.
                consumer.pause(assigned);
                unpositioned.addAll(assigned);
                notePaused();
                return;
            }
            if (!retrying) {
                awaitInFlight(false);
            }
            seekToStoredOffsets(partitionsOf(assigned));
        }

        private void forget(List<Integer> partitions) {
            unpositioned.removeIf(tp -> partitions.contains(tp.partition()));
            pending.dropPartitions(partitions);
            partitions.forEach(expectedOffsets::remove);
            status.forget(partitions);
            outOfRange.forget(partitions);
        }
    }
}
