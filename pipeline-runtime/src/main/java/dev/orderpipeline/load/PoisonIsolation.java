package dev.orderpipeline.load;

import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.FailureKind;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.Warehouse;
import dev.orderpipeline.warehouse.WarehouseErrors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch so that rows the warehouse refuses cannot stall the pipeline. When a write fails
 * with a {@link FailureKind#DATA} error, the same statements are first run without rows (if that
 * fails too, the table or the statement is at fault, not a row: the error goes back to the caller,
 * which retries in plain sight); then the rows are bisected with trial writes that always roll back
 * until each refused row stands alone. Their original records go to the dead-letter topic with the
 * database's message, and every other row commits with all the offsets in one transaction, once.
 * In upsert mode a refused latest version gives way to the key's previous version in the batch, as
 * if the refused record had never been produced.
 *
 * <p>Dead letters owed (the conversion's and the warehouse's) are awaited before the commit, so a
 * record is never skipped without having been dead-lettered. Transient and fencing failures are the
 * caller's to handle, unchanged.
 */
final class PoisonIsolation {
    private static final Logger LOG = LoggerFactory.getLogger(PoisonIsolation.class);
    /** A whole batch failing with DATA while no part of it does (rows only failing together): tried again this often. */
    private static final int UNISOLATED_ATTEMPTS = 2;

    private final Warehouse warehouse;
    private final Optional<DeadLetterPublisher> deadLetters;
    private final boolean tolerant;
    private final String topic;
    private final LoaderStatus status;
    private final LoaderMetrics metrics;

    PoisonIsolation(Warehouse warehouse, Optional<DeadLetterPublisher> deadLetters, LoaderConfig.ErrorTolerance tolerance,
                    String topic, LoaderStatus status, LoaderMetrics metrics) {
        this.warehouse = warehouse;
        this.deadLetters = deadLetters;
        this.tolerant = tolerance == LoaderConfig.ErrorTolerance.ALL && deadLetters.isPresent();
        this.topic = topic;
        this.status = status;
        this.metrics = metrics;
    }

    /**
     * Writes {@code batch}, taking out the rows the warehouse refuses.
     *
     * @param sourceRows every row of the batch before deduplication by key ({@code batch.rows()} in append mode),
     *                   so that a refused latest version can give way to the previous one
     * @throws PoisonRecordException a row is refused and errorTolerance is none (or there is no dead-letter topic)
     * @throws Exception anything else {@link Warehouse#write} or the dead-letter topic throws; nothing is committed then
     */
    IsolatedWrite writeIsolatingPoison(Batch batch, List<Row> sourceRows) throws Exception {
        Batch current = batch;
        List<Row> remaining = sourceRows;
        int refused = 0;
        int unisolated = 0;
        while (true) {
            awaitDeadLetters();
            try {
                warehouse.write(current);
                return new IsolatedWrite(current, refused);
            } catch (Exception e) {
                if (WarehouseErrors.classify(e) != FailureKind.DATA || current.rows().isEmpty() || !aboutRows(current)) {
                    throw e;
                }
                List<Refusal> found = bisect(current, current.rows());
                if (found.isEmpty()) {
                    if (++unisolated >= UNISOLATED_ATTEMPTS) {
                        throw e; // the rows fail only together (or the failure came and went): retried in plain sight
                    }
                    continue;
                }
                deadLetter(found);
                refused += found.size();
                Set<Row> out = Collections.newSetFromMap(new IdentityHashMap<>());
                found.forEach(r -> out.add(r.row()));
                remaining = remaining.stream().filter(r -> !out.contains(r)).toList();
                current = current.withRows(current.upsert() ? KeyDeduplicator.lastWins(remaining, current.keyIndexes()) : remaining);
            }
        }
    }

    /** The statements without any row: if they fail as well, no row is to blame. */
    private boolean aboutRows(Batch batch) {
        try {
            warehouse.trial(batch.withRows(List.of()));
            return true;
        } catch (Exception e) {
            LOG.warn("the warehouse refuses the batch even without rows ({}): the table or the statement is at fault, "
                    + "not a record; retrying", WarehouseErrors.describe(e));
            return false;
        }
    }

    /** The rows that fail alone, each with its error. A transient failure during the search ends it (thrown). */
    private List<Refusal> bisect(Batch batch, List<Row> rows) throws Exception {
        try {
            warehouse.trial(batch.withRows(rows));
            return List.of();
        } catch (Exception e) {
            if (WarehouseErrors.classify(e) != FailureKind.DATA) {
                throw e;
            }
            if (rows.size() == 1) {
                return List.of(new Refusal(rows.get(0), e));
            }
            int half = rows.size() / 2;
            List<Refusal> found = new ArrayList<>(bisect(batch, rows.subList(0, half)));
            found.addAll(bisect(batch, rows.subList(half, rows.size())));
            return found;
        }
    }

    private void deadLetter(List<Refusal> refusals) {
        Refusal first = refusals.get(0);
        String where = topic + "-" + first.row().partition() + "@" + first.row().offset();
        if (!tolerant) {
            throw new PoisonRecordException("the warehouse refuses record " + where + ": " + WarehouseErrors.describe(first.error())
                    + (refusals.size() > 1 ? " (and " + (refusals.size() - 1) + " more records of the batch)" : "")
                    + ". " + Setting.ERROR_TOLERANCE.envName() + "=none (or no " + Setting.DEAD_LETTER_TOPIC.envName()
                    + ") stops the loader here with nothing of this batch committed; fix the table or the record, or set "
                    + Setting.ERROR_TOLERANCE.envName() + "=all with " + Setting.DEAD_LETTER_TOPIC.envName()
                    + " to dead-letter it");
        }
        for (Refusal refusal : refusals) {
            deadLetters.get().send(topic, refusal.row(), refusal.error());
            status.refused();
            metrics.deadLettered();
            metrics.refused();
        }
        LOG.warn("the warehouse refused {} rows of a batch from {}; their records go to the dead-letter topic, the rest commits. "
                + "First: record {}: {}", refusals.size(), topic, where, WarehouseErrors.describe(first.error()));
    }

    private void awaitDeadLetters() throws InterruptedException {
        if (deadLetters.isPresent()) {
            deadLetters.get().awaitSent();
        }
    }

    /** A row the warehouse refuses, and the warehouse's error. */
    private record Refusal(Row row, Exception error) {
    }
}
