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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
 */
public final class Loader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);

    private final LoaderConfig config;
    private final Warehouse warehouse;
    private final Consumer<byte[], byte[]> consumer;
    private final Optional<DeadLetterPublisher> deadLetters;
    private final LoaderStatus status;
    private final LoaderMetrics metrics;
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
                }
                accept(records);
                if (inFlight != null && inFlight.result().isDone()) {
                    awaitInFlight(true); // settle it now: status, metrics and group offsets follow the commit
                }
                if (pending.isDue(System.nanoTime(), config.batch().maxRecords(), config.batch().maxBytes(), maxLatencyNanos)) {
                    submitPending();
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
                converter = new RecordConverter(shape, config.sink().keyFields());
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

    /**
     * Hands the pending records to the committer and starts gathering the next batch. The previous
     * commit must have finished first: the new batch's compare-and-set starts from its offsets.
     */
    private void submitPending() {
        if (!awaitInFlight(true) || pending.isEmpty()) {
            return;
        }
        try {
            awaitDeadLetters();
        } catch (Exception e) {
            noteWarehouseError("sending dead letters", e);
            commitWithRetry(pending);
            return;
        }
        PendingBatch frozen = pending;
        pending = new PendingBatch();
        Batch batch = toBatch(frozen);
        long started = System.nanoTime();
        Future<?> result = committer.submit(() -> {
            warehouse.write(batch);
            return null;
        });
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
        inFlight = null;
        try {
            current.result().get();
            committed(current.records(), current.batch(), current.startedNanos());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoaderStoppedException("interrupted while committing");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FencedException fenced) {
                fenced(fenced);
                return false;
            }
            noteWarehouseError("committing a batch of " + current.records().records() + " records", e.getCause());
            warehouse.reset();
            if (mayRetry && commitWithRetry(current.records())) {
                return true;
            }
            rewindToCommitted();
            return false;
        }
    }

    /** Forgets every uncommitted record and seeks back to the last committed offsets (known in memory). */
    private void rewindToCommitted() {
        pending.clear();
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : consumer.assignment()) {
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
            consumer.resume(consumer.paused());
        }
    }

    private void commitNow(PendingBatch records) throws Exception {
        awaitDeadLetters();
        Batch batch = toBatch(records);
        long started = System.nanoTime();
        warehouse.write(batch);
        committed(records, batch, started);
    }

    /** Another loader owns a partition now: nothing pending is valid; resume from the warehouse's offsets. */
    private void fenced(FencedException e) {
        LOG.warn("commit rolled back: {}; resuming from the warehouse's offsets", e.getMessage());
        metrics.fenced();
        pending.clear();
        seekToStoredOffsets(currentPartitions());
    }

    private void awaitDeadLetters() throws Exception {
        if (deadLetters.isPresent()) {
            deadLetters.get().awaitSent();
        }
    }

    private Batch toBatch(PendingBatch records) {
        Map<Integer, OffsetAdvance> advances = new HashMap<>();
        records.nextOffsets().forEach((partition, next) ->
                advances.put(partition, new OffsetAdvance(expectedOffsets.getOrDefault(partition, -1L), next)));
        List<Row> rows = keyColumns.isEmpty() ? List.copyOf(records.rows())
                : KeyDeduplicator.lastWins(records.rows(), keyIndexes());
        return new Batch(config.pipelineName(), config.source().topic(), shape.snapshot(), keyColumns, rows, advances,
                System.currentTimeMillis());
    }

    private void committed(PendingBatch records, Batch batch, long startedNanos) {
        Duration latency = Duration.ofNanos(System.nanoTime() - startedNanos);
        Duration freshness = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - records.oldestTimestampMillis()));
        Map<Integer, Long> offsets = new HashMap<>(records.nextOffsets());
        expectedOffsets.putAll(offsets);
        long loaded = records.loadedRecords();
        if (records.skipped() > 0) {
            LOG.warn("{} records of this batch went to the dead-letter topic", records.skipped());
        }
        status.committed(loaded, offsets, Instant.ofEpochMilli(batch.committedAtMillis()), freshness.toMillis());
        metrics.committed(loaded, batch.rows().size(), records.bytes(), latency, freshness);
        records.clear();
        commitGroupOffsets(offsets);
    }

    /** A batch handed to the committer thread. */
    private record InFlight(PendingBatch records, Batch batch, Future<?> result, long startedNanos) {
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
            consumer.pause(consumer.assignment());
            try {
                accept(consumer.poll(Duration.ofMillis(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)))));
            } catch (WakeupException e) {
                return;
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
            if (!retrying) {
                awaitInFlight(false);
            }
            if (!retrying && !pending.isEmpty()) {
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
            if (!retrying) {
                awaitInFlight(false); // the warehouse session is the committer's until then
            }
            seekToStoredOffsets(partitionsOf(assigned));
        }

        private void forget(List<Integer> partitions) {
            pending.dropPartitions(partitions);
            partitions.forEach(expectedOffsets::remove);
            status.forget(partitions);
        }
    }
}
