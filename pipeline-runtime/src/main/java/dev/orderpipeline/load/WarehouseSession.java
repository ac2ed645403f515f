package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.schema.SchemaLimits;
import dev.orderpipeline.warehouse.FencedException;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.TableShape;
import dev.orderpipeline.warehouse.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader's warehouse session and the one thread that uses it: every JDBC call of the loader
 * (open, stored offsets, commit, retries, close) runs here, never on the poll thread, so a locked
 * table or a socket that never answers cannot keep the consumer from polling. Calls run one at a
 * time in the order they were asked for; a read of stored offsets asked after a commit sees it.
 */
final class WarehouseSession {
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseSession.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);

    /** Where a failed warehouse call is reported (the log, {@code /status}, the error counter). */
    interface ErrorReport {
        void failed(String what, Throwable error);
    }

    private final Warehouse warehouse;
    /** Writes a batch taking out the rows the warehouse refuses, after the batch's dead letters are sent. */
    private final PoisonIsolation poison;
    private final Duration maxBackoff;
    private final ErrorReport errors;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "loader-warehouse");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    WarehouseSession(Warehouse warehouse, PoisonIsolation poison, Duration maxBackoff, ErrorReport errors) {
        this.warehouse = warehouse;
        this.poison = poison;
        this.maxBackoff = maxBackoff;
        this.errors = errors;
    }

    /** Creates the tables if absent and reads the target's columns, retrying until it works or the session closes. */
    CompletableFuture<List<Column>> open() {
        return retried("opening the warehouse", warehouse::open);
    }

    /** The stored offsets of {@code partitions} (-1: never committed), retried until read or the session closes. */
    CompletableFuture<Map<Integer, Long>> storedOffsets(String pipeline, String topic, Collection<Integer> partitions) {
        List<Integer> asked = List.copyOf(partitions);
        return retried("reading the stored offsets of partitions " + asked,
                () -> warehouse.storedOffsets(pipeline, topic, asked));
    }

    /** The dialect's limits on columns and names; no call to the warehouse. */
    SchemaLimits limits() {
        return warehouse.limits();
    }

    /** From now on the warehouse teaches {@code shape} the table's columns whenever it reads them back. */
    void teach(TableShape shape) {
        warehouse.syncShape(shape);
    }

    /**
     * Commits {@code batch}, retrying failures with capped backoff, until committed, fenced, refused or
     * cancelled. {@code sourceRows}: the batch's rows before deduplication by key (see {@link PoisonIsolation}).
     */
    CommitJob commit(Batch batch, List<Row> sourceRows) {
        CommitJob job = new CommitJob(batch);
        run(job.result(), () -> {
            Backoff backoff = new Backoff(MIN_BACKOFF, maxBackoff);
            while (true) {
                if (job.isCancelled() || closed) {
                    return new CommitOutcome.Cancelled();
                }
                CommitOutcome outcome = write(batch, sourceRows);
                if (!(outcome instanceof CommitOutcome.Failed failed)) {
                    return outcome;
                }
                job.failedOnce();
                errors.failed("committing a batch of " + batch.rows().size() + " rows", failed.cause());
                warehouse.reset();
                if (job.cancelledWithin(backoff.next())) {
                    return new CommitOutcome.Cancelled();
                }
            }
        });
        // After the outcome is reported, on the same thread: the next batch waits for it, this one does not. At once:
        // since DuckDB 1.5 a checkpoint no longer stops readers (the replicator sharing the file), so the grace that
        // used to let them read the batch first only held up the next one (pipeline-tools/BENCH.md, "DuckDB 1.5").
        CompletableFuture<Void> tidied = new CompletableFuture<>();
        run(tidied, () -> {
            if (warehouse.tidyDue()) {
                warehouse.tidy();
            }
            return null;
        });
        tidied.whenComplete((done, error) -> {
            if (error != null && !(error instanceof LoaderStoppedException)) {
                LOG.warn("housekeeping after a commit failed (nothing committed depends on it): {}", error.toString());
            }
        });
        return job;
    }

    /**
     * One attempt at writing a batch: its rows and offset advances in one transaction, the rows the
     * warehouse refuses taken out and dead-lettered. Runs on the committer thread only; the one place a
     * batch reaches the warehouse.
     */
    CommitOutcome write(Batch batch, List<Row> sourceRows) {
        try {
            long started = System.nanoTime();
            IsolatedWrite written = poison.writeIsolatingPoison(batch, sourceRows);
            LOG.debug("commit: {} rows in {} ms", batch.rows().size(), (System.nanoTime() - started) / 1_000_000);
            return new CommitOutcome.Committed(Instant.now(), written.committed(), written.refused());
        } catch (FencedException e) {
            return new CommitOutcome.Fenced(e);
        } catch (PoisonRecordException e) {
            return new CommitOutcome.Refused(e);
        } catch (Exception e) {
            return new CommitOutcome.Failed(e);
        }
    }

    /**
     * Stops the thread and closes the session, waiting at most {@code wait} for a call still running;
     * past that the connection is closed from here, which makes a hung call fail.
     */
    void close(Duration wait) {
        closed = true;
        CompletableFuture<Void> closing = new CompletableFuture<>();
        run(closing, () -> {
            warehouse.close();
            return null;
        });
        thread.shutdown();
        try {
            closing.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("the warehouse session did not close within {} ms; closing its connection from outside", wait.toMillis());
            thread.shutdownNow();
            warehouse.close();
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> retried(String what, Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        run(result, () -> {
            Backoff backoff = new Backoff(MIN_BACKOFF, maxBackoff);
            while (true) {
                if (closed) {
                    throw new LoaderStoppedException("stopped while " + what);
                }
                try {
                    return call.run();
                } catch (Exception e) {
                    errors.failed(what, e);
                    warehouse.reset();
                    Thread.sleep(backoff.next().toMillis());
                }
            }
        });
        return result;
    }

    private <T> void run(CompletableFuture<T> result, Call<T> call) {
        try {
            thread.execute(() -> {
                try {
                    result.complete(call.run());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new LoaderStoppedException("the warehouse session is closed"));
        }
    }
}
