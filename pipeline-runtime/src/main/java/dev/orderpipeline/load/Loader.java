package dev.orderpipeline.load;

import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.format.RecordDecoder;
import dev.orderpipeline.format.SchemaRegistryClient;
import dev.orderpipeline.format.SchemaRegistryUnavailableException;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.source.RecordConversionException;
import dev.orderpipeline.source.RecordConverter;
import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.OffsetAdvance;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once loop, on the poll thread: poll, convert, batch, and hand each batch to the
 * {@link WarehouseSession}, whose own thread commits the rows together with the partitions' offsets
 * in one warehouse transaction. The warehouse's offsets are the truth: an assigned partition starts
 * from its stored offset, and each commit moves the offsets only from the value this loader last
 * saw, so a loader that lost its partitions (a zombie) cannot commit. Kafka's group offsets are
 * committed afterwards, for lag monitoring only.
 *
 * <p>The poll thread never waits on the warehouse: while a commit runs the next batch is read; when
 * it is due and the commit has not returned (a locked table, a suspended warehouse, a hung
 * connection) or has failed and is being retried, every partition is paused and polling goes on, so
 * the group keeps this member ({@link StallWatch}). Partitions assigned are paused until their stored
 * offsets arrive ({@link PartitionPositions}). What the loader is doing is one {@link LoaderState}.
 */
public final class Loader implements Runnable, Rebalance.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    /**
     * While stalled, how long the loop waits on the commit in flight before it polls again: polling is what keeps
     * this loader in the group, runs rebalances and hears a stop.
     */
    private static final Duration STALLED_PACE = Duration.ofMillis(100);
    /**
     * How long a revocation may wait for commits, to hand over with everything committed. It runs
     * inside poll(), so it stays well under the consumer's max.poll.interval.ms; past it the
     * partitions go uncommitted and the compare-and-set settles whose commit counts.
     */
    private static final Duration HANDOVER_WAIT = Duration.ofSeconds(2);
    /** How long a stop (SIGTERM) waits for the last commits: within Kubernetes' 30 s grace period. */
    private static final Duration STOP_FLUSH_WAIT = Duration.ofSeconds(20);
    private static final Duration SESSION_CLOSE_WAIT = Duration.ofSeconds(5);

    private final LoaderConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final Optional<DeadLetterPublisher> deadLetters;
    private final LoaderStatus status;
    private final LoaderMetrics metrics;
    private final WarehouseSession session;
    private final PartitionPositions positions;
    private final StallWatch stall;
    /** Offsets outside the log: OPL_KAFKA_OFFSET_RESET. */
    private final OutOfRangeHandler outOfRange;
    private final long maxLatencyNanos;
    private final Duration stalledPace;
    /** Records being gathered while the previous batch commits. */
    private PendingBatch pending = new PendingBatch();
    /** The batch the committer thread works on; at most one at a time, as its offsets are the next one's compare side. */
    private InFlight inFlight;
    private LoaderState state = LoaderState.STARTING;
    private Instant stateSince = Instant.now();
    private volatile boolean stopping;
    /** A group offset commit failed: when the loop commits the warehouse's offsets again (a bounded backoff). */
    private final GroupOffsetRetry groupOffsets = new GroupOffsetRetry(System::nanoTime);
    /** Records committed by the flush at a stop: what the stop's closing log line reports. */
    private long committedWhileStopping;

    /** Decoders of the Confluent formats (null for schemaless JSON), made once: their schema caches outlive rebalances. */
    private final RecordDecoder valueDecoder;
    private final RecordDecoder keyDecoder;
    /** While the Schema Registry does not answer: the backoff between readings of the same records; null otherwise. */
    private Backoff registryBackoff;
    /** Since when the Schema Registry does not answer; null while it does. */
    private Instant registryUnavailableSince;

    private TableShape shape;
    private RecordConverter converter;
    private List<SqlIdentifier> keyColumns;

    public Loader(LoaderConfig config, Warehouse warehouse, Consumer<byte[], byte[]> consumer,
                  Optional<DeadLetterPublisher> deadLetters, LoaderStatus status, LoaderMetrics metrics) {
        this(config, warehouse, consumer, deadLetters, status, metrics, STALLED_PACE);
    }

    /** With another pace while stalled (tests). */
    Loader(LoaderConfig config, Warehouse warehouse, Consumer<byte[], byte[]> consumer,
           Optional<DeadLetterPublisher> deadLetters, LoaderStatus status, LoaderMetrics metrics, Duration stalledPace) {
        this.config = config;
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.status = status;
        this.metrics = metrics;
        PoisonIsolation poison = new PoisonIsolation(warehouse, deadLetters, config.errorTolerance(),
                config.source().topic(), status, metrics);
        this.session = new WarehouseSession(warehouse, poison, config.retryMaxBackoff(), this::noteWarehouseError);
        this.positions = new PartitionPositions(config, consumer, session, status);
        this.outOfRange = new OutOfRangeHandler(config.source(), consumer, status, metrics);
        this.stall = new StallWatch(consumer, status, metrics, outOfRange::held);
        this.maxLatencyNanos = config.batch().maxLatency().toNanos();
        this.stalledPace = stalledPace;
        SchemaRegistryClient registry = RecordDecoder.registry(config.source().format());
        this.valueDecoder = RecordDecoder.value(config.source().format(), registry);
        this.keyDecoder = RecordDecoder.key(config.source().format(), registry);
    }

    /** A batch handed to the committer thread, with the records it was built from. */
    private record InFlight(PendingBatch records, CommitJob job) {
    }

    /** Asks the loop to flush, commit and return; safe from any thread (a shutdown hook). */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        publishState();
        try {
            openWarehouse();
            consumer.subscribe(List.of(config.source().topic()), new Rebalance(this));
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = nextRecords();
                } catch (WakeupException e) {
                    break;
                }
                step(records);
            }
            stopping = true;
            publishState();
            flushBeforeExit();
        } finally {
            stopping = true;
            publishState();
            try {
                consumer.close(Duration.ofSeconds(5));
            } finally {
                deadLetters.ifPresent(DeadLetterPublisher::close);
                session.close(SESSION_CLOSE_WAIT);
            }
        }
    }

    /**
     * The one place the loader polls Kafka. The consumer never resets an offset by itself
     * ({@code auto.offset.reset=none}): a position outside the log comes back here and follows
     * OPL_KAFKA_OFFSET_RESET, loudly.
     */
    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (InvalidOffsetException e) {
            outOfRange.handle(e, positions.expectedOffsets(), positions.awaiting());
            stall.notePaused();
            return ConsumerRecords.empty();
        }
    }

    /**
     * While stalled every partition is paused, so a poll could only wait out its timeout, and a commit that returned
     * meanwhile waited with it: up to 100 ms a batch, about 60 ms in {@code bench}'s loader into PostgreSQL,
     * whose batches commit in about half a second. The loop waits on the commit instead and then polls without waiting.
     */
    private ConsumerRecords<byte[], byte[]> nextRecords() {
        if (stall.stalled()) {
            stall.awaitCommit(stalledPace);
            return poll(Duration.ZERO);
        }
        return poll(pollTimeout());
    }

    private Duration pollTimeout() {
        long millis = pending.nanosUntilDue(System.nanoTime(), maxLatencyNanos) / 1_000_000;
        return Duration.ofMillis(Math.max(1, Math.min(200, millis)));
    }

    /** One turn of the loop after a poll: never waits on the warehouse. */
    private void step(ConsumerRecords<byte[], byte[]> records) {
        accept(records);
        List<TopicPartition> positioned = positions.applyAnswers();
        stall.resumePositioned(positioned);
        commitWarehouseOffsetsToGroup(positioned);
        if (groupOffsets.retryDue()) {
            // The last group commit failed (a rebalance): commit the warehouse's offsets again, without waiting
            // for a next batch that may not come; while they keep failing, after a growing backoff.
            List<TopicPartition> settled = new ArrayList<>(consumer.assignment());
            settled.removeAll(positions.awaiting());
            commitWarehouseOffsetsToGroup(settled);
        }
        if (inFlight != null && inFlight.job().isDone()) {
            settle(); // status, metrics and group offsets follow the commit
        }
        boolean due = pending.isDue(System.nanoTime(), config.batch().maxRecords(), config.batch().maxBytes(), maxLatencyNanos);
        if (inFlight == null) {
            if (due) {
                submitPending();
            }
        } else if (due || inFlight.job().failing()) {
            stall.hold(inFlight.job(), pending.records());
        }
        publishState();
    }

    /** Opens the warehouse on the committer thread; the loader joins the group only once it knows the table. */
    private void openWarehouse() {
        List<Column> columns = awaitUntilStopped(session.open(), "opening the warehouse");
        shape = new TableShape(columns);
        session.teach(shape);
        converter = new RecordConverter(shape, config.sink().keyFields(), session.limits().cappedAt(config.maxColumns()),
                valueDecoder, keyDecoder);
        keyColumns = converter.keyColumns();
        status.ready(true);
    }

    private <T> T awaitUntilStopped(CompletableFuture<T> answer, String what) {
        while (true) {
            if (stopping) {
                answer.cancel(false);
                throw new LoaderStoppedException("stopped while " + what);
            }
            try {
                return answer.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // check stopping again
            } catch (ExecutionException e) {
                throw new LoaderStoppedException(what + " failed: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoaderStoppedException("interrupted while " + what);
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
                pending.add(converter.convert(record), now, record.timestamp());
            } catch (RecordConversionException e) {
                rejectRecord(record, e, now);
            } catch (SchemaRegistryUnavailableException e) {
                registryUnavailable(records, record, e);
                return;
            }
        }
        if (registryBackoff != null) {
            registryBackoff = null;
            registryUnavailableSince = null;
            status.schemaRegistryUnavailable(null);
            metrics.schemaRegistryUnavailable(false);
            publishState();
            LOG.info("the Schema Registry answers again; reading on");
        }
    }

    /**
     * The registry does not answer, so {@code failed} can be neither loaded nor dead-lettered: it and every
     * record after it in this poll are read again (each partition from its first record not taken), after a
     * backoff, like a warehouse retry. Nothing is skipped; /status says why in lastError and retryingSince.
     */
    private void registryUnavailable(ConsumerRecords<byte[], byte[]> records, ConsumerRecord<byte[], byte[]> failed,
                                     SchemaRegistryUnavailableException error) {
        boolean reached = false;
        for (TopicPartition partition : records.partitions()) { // the order the records were iterated in
            if (partition.partition() == failed.partition()) {
                consumer.seek(partition, failed.offset());
                reached = true;
            } else if (reached) {
                consumer.seek(partition, records.records(partition).get(0).offset());
            }
        }
        if (registryBackoff == null) {
            registryBackoff = new Backoff(Duration.ofMillis(200), config.retryMaxBackoff());
            registryUnavailableSince = Instant.now();
            status.schemaRegistryUnavailable(registryUnavailableSince);
            metrics.schemaRegistryUnavailable(true);
            LOG.warn("{}; records are read again after a backoff, none is skipped", error.getMessage());
        }
        status.failed(error.getMessage());
        publishState();
        long until = System.nanoTime() + registryBackoff.next().toNanos();
        // On the poll thread, well under max.poll.interval.ms (OPL_RETRY_MAX_BACKOFF); a stop ends the wait.
        while (!stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void rejectRecord(ConsumerRecord<byte[], byte[]> record, RecordConversionException error, long now) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (config.errorTolerance() == LoaderConfig.ErrorTolerance.NONE || deadLetters.isEmpty()) {
            // Commit what came before the bad record; nothing after it has been accepted.
            stopping = true;
            publishState();
            flushBeforeExit();
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
     * Hands the pending records to the committer thread and starts gathering the next batch. The
     * previous commit has been settled: the new batch's compare-and-set starts from its offsets. The
     * batch's dead letters are awaited there too, before its commit: never on this thread.
     */
    private void submitPending() {
        if (pending.isEmpty()) {
            return;
        }
        PendingBatch frozen = pending;
        pending = new PendingBatch();
        inFlight = new InFlight(frozen, session.commit(toBatch(frozen), frozen.rows()));
    }

    /** The commit in flight has returned: follow its outcome. */
    private void settle() {
        InFlight done = inFlight;
        inFlight = null;
        CommitOutcome outcome = done.job().result().isCompletedExceptionally()
                ? new CommitOutcome.Cancelled() : done.job().outcome();
        if (outcome instanceof CommitOutcome.Committed committed) {
            committed(done, committed);
        } else if (outcome instanceof CommitOutcome.Refused refused) {
            throw refused.cause(); // a record the warehouse refuses with nowhere to put it: the loader stops
        } else if (outcome instanceof CommitOutcome.Fenced fenced) {
            fenced(fenced);
        } else {
            // Not committed, and not to be retried (stopping, or given up): read it all again from the last commit.
            LOG.warn("a batch of {} records was not committed ({}); reading again from the last committed offsets",
                    done.records().records(), outcome);
            pending.clear();
            positions.rewind(consumer.assignment());
        }
        stall.end(positions.awaiting());
    }

    /** Another loader owns a partition now: nothing pending is valid; resume from the warehouse's offsets. */
    private void fenced(CommitOutcome.Fenced fenced) {
        LOG.warn("commit rolled back: {}; resuming from the warehouse's offsets", fenced.cause().getMessage());
        metrics.fenced();
        pending.clear();
        positions.request(consumer.assignment());
        stall.notePaused();
    }

    private Batch toBatch(PendingBatch records) {
        Map<Integer, OffsetAdvance> advances = new HashMap<>();
        records.nextOffsets().forEach((partition, next) ->
                advances.put(partition, new OffsetAdvance(positions.expected(partition), next)));
        // Append mode hands the pending list over as is: a PendingBatch is not touched while its batch is in
        // flight (submitPending replaces it; only settle, after the commit returned, reads or clears it).
        // No rows (every record dead-lettered): nothing to deduplicate, and the key column may not exist yet.
        List<Row> rows = keyColumns.isEmpty() || records.rows().isEmpty() ? records.rows()
                : KeyDeduplicator.lastWins(records.rows(), keyIndexes());
        return new Batch(config.pipelineName(), config.source().topic(), shape.snapshot(), keyColumns, rows, advances,
                System.currentTimeMillis());
    }

    /** {@code committed.at()}: when the commit returned; the commit time /status and freshness report. */
    private void committed(InFlight done, CommitOutcome.Committed committed) {
        Instant at = committed.at();
        PendingBatch records = done.records();
        Duration latency = Duration.ofNanos(System.nanoTime() - done.job().startedNanos());
        Duration freshness = Duration.ofMillis(Math.max(0, at.toEpochMilli() - records.oldestTimestampMillis()));
        Map<Integer, Long> offsets = new HashMap<>(records.nextOffsets());
        offsets.keySet().retainAll(currentPartitions()); // a partition revoked while this commit ran is not ours to track
        positions.committed(offsets);
        long loaded = records.loadedRecords() - committed.refused(); // refused rows were dead-lettered
        if (records.skipped() > 0) {
            LOG.warn("{} records of this batch went to the dead-letter topic", records.skipped());
        }
        status.committed(loaded, offsets, at, freshness.toMillis());
        if (stopping) {
            committedWhileStopping += records.records();
        }
        metrics.committed(loaded, committed.batch().rows().size(), records.bytes(), latency, freshness);
        records.clear();
        commitGroupOffsets(offsets);
    }

    private int[] keyIndexes() {
        int[] indexes = new int[keyColumns.size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = shape.indexOf(keyColumns.get(i)).orElseThrow();
        }
        return indexes;
    }

    /**
     * The warehouse's offsets a partition resumes from are committed to the group too. A previous owner's
     * group commit can fail in the rebalance that hands the partition over (after its warehouse commit), and
     * with no new records this owner would never commit a batch there: the group's lag would show records
     * that are long in the warehouse, and lag autoscaling would keep loaders for them.
     */
    private void commitWarehouseOffsetsToGroup(List<TopicPartition> positioned) {
        Map<Integer, Long> resumed = new HashMap<>();
        for (TopicPartition tp : positioned) {
            long next = positions.expected(tp.partition());
            if (next >= 0) {
                resumed.put(tp.partition(), next);
            }
        }
        if (!resumed.isEmpty()) {
            commitGroupOffsets(resumed);
        }
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
                    groupOffsets.failed(e);
                } else {
                    groupOffsets.succeeded();
                }
            });
        }
    }

    /**
     * At a stop: waits a bounded time for the commit in flight, then commits what is pending. What
     * does not commit in time is left to the next owner, which reads it again from the stored offsets.
     */
    private void flushBeforeExit() {
        long deadline = System.nanoTime() + STOP_FLUSH_WAIT.toNanos();
        long inFlightRecords = inFlight == null ? 0 : inFlight.records().records();
        long held = inFlightRecords + pending.records();
        committedWhileStopping = 0;
        if (held > 0) {
            // Said at INFO: a scale-down or a rollout stops loaders mid-batch, and this is how an operator
            // (and the end-to-end story) sees that the records in hand were committed, not dropped.
            LOG.info("stopping with {} records read and not yet committed ({} in the commit in flight, {} buffered): "
                    + "committing them before leaving the group", held, inFlightRecords, pending.records());
        }
        awaitInFlight(deadline);
        if (inFlight == null && !pending.isEmpty()) {
            submitPending();
            awaitInFlight(deadline);
        }
        if (inFlight != null) {
            inFlight.job().cancel();
            LOG.warn("stopping with a commit of {} records that has not returned within {} s; what it does not commit "
                    + "is read again by the next owner", inFlight.records().records(), STOP_FLUSH_WAIT.toSeconds());
        } else if (!pending.isEmpty()) {
            LOG.warn("stopping with {} uncommitted records; they will be read again", pending.records());
        }
        if (held > 0) {
            LOG.info("stopping: committed {} of the {} records held at the stop", committedWhileStopping, held);
        }
    }

    /** Waits for the commit in flight until {@code deadlineNanos} and settles it if it returned. */
    private void awaitInFlight(long deadlineNanos) {
        if (inFlight == null) {
            return;
        }
        if (inFlight.job().failing() && stopping) {
            inFlight.job().cancel(); // the warehouse is failing: no point waiting for the retries at a stop
        }
        if (inFlight.job().awaitDone(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())))) {
            settle();
        }
    }

    // ---- The group's callbacks (inside poll(), on this thread).

    @Override
    public void handOver(Collection<TopicPartition> revoked) {
        List<Integer> partitions = partitionsOf(revoked);
        if (!stopping && (inFlight != null || !pending.isEmpty())) {
            long deadline = System.nanoTime() + HANDOVER_WAIT.toNanos();
            if (inFlight != null && !inFlight.job().failing()) {
                awaitInFlight(deadline);
            }
            if (inFlight == null && pendingTouches(partitions)) {
                submitPending();
                awaitInFlight(deadline);
            }
            if (inFlight != null) {
                // Committing more now would commit past the unsettled batch (a gap): hand the partitions over as
                // they stand. The new owner reads from the warehouse's offsets; whichever commit comes second fails
                // its compare-and-set.
                LOG.warn("handing over partitions {} while a commit has run for {} ms: their records gathered since are "
                        + "dropped, the new owner reads them again from the warehouse's offsets", partitions,
                        Duration.ofNanos(System.nanoTime() - inFlight.job().startedNanos()).toMillis());
            }
        }
        forget(revoked);
    }

    private boolean pendingTouches(List<Integer> partitions) {
        return pending.nextOffsets().keySet().stream().anyMatch(partitions::contains);
    }

    @Override
    public void forget(Collection<TopicPartition> gone) {
        List<Integer> partitions = partitionsOf(gone);
        pending.dropPartitions(partitions);
        positions.forget(partitions);
        outOfRange.forget(partitions);
        status.forget(partitions);
        stall.notePaused();
    }

    @Override
    public void position(Collection<TopicPartition> assigned) {
        positions.request(assigned);
        stall.notePaused();
        publishState();
    }

    // ---- What /status says.

    private void publishState() {
        LoaderState next = stopping ? LoaderState.STOPPING
                : shape == null ? LoaderState.STARTING
                : stall.stalled() || registryUnavailableSince != null ? LoaderState.STALLED
                : positions.positioning() ? LoaderState.POSITIONING
                : inFlight != null ? LoaderState.COMMITTING
                : LoaderState.LOADING;
        if (next != state) {
            LOG.debug("state {} -> {}", state, next);
            state = next;
            stateSince = Instant.now();
        }
        status.state(state, stateSince, waitingFor());
        status.sinkStalled(waitingOnWarehouseSince());
    }

    /** What the loader waits on from the warehouse with partitions paused, in words; null when it waits on nothing. */
    private String waitingFor() {
        List<String> waits = new ArrayList<>();
        if (stall.stalled() && inFlight != null) {
            waits.add("the commit of " + inFlight.records().records() + " records started at " + inFlight.job().startedAt()
                    + (inFlight.job().failing() ? ", failing and retried (see lastError)" : ", not returned yet"));
        }
        if (registryUnavailableSince != null) {
            waits.add("the Schema Registry, which does not answer since " + registryUnavailableSince
                    + " (see lastError); the records that need it are read again, none is skipped");
        }
        if (positions.positioning()) {
            waits.add("the stored offsets of partitions " + positions.awaitingPartitions() + ", asked at "
                    + positions.waitingSince().map(Instant::toString).orElse("?"));
        }
        return waits.isEmpty() ? null : String.join("; ", waits);
    }

    /** Since when paused partitions wait on the warehouse: the operator's SinkWriting condition reads it. */
    private Instant waitingOnWarehouseSince() {
        Instant since = stall.stalled() && inFlight != null ? inFlight.job().startedAt() : null;
        Optional<Instant> positioning = positions.waitingSince();
        if (positioning.isPresent() && (since == null || positioning.get().isBefore(since))) {
            since = positioning.get();
        }
        return since;
    }

    private void noteWarehouseError(String what, Throwable e) {
        String message = what + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warn("{} (will retry)", message);
        status.failed(message);
        metrics.warehouseError();
    }

    private List<Integer> currentPartitions() {
        return partitionsOf(consumer.assignment());
    }

    static List<Integer> partitionsOf(Collection<TopicPartition> tps) {
        return tps.stream().map(TopicPartition::partition).toList();
    }
}
