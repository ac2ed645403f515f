package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Batch;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One batch on its way to the warehouse: written, and retried with backoff on the committer thread
 * until it commits, is fenced, or is cancelled. The poll thread watches it without waiting on it.
 */
final class CommitJob {
    private final Batch batch;
    private final long startedNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private final CompletableFuture<CommitOutcome> result = new CompletableFuture<>();
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile int failures;

    CommitJob(Batch batch) {
        this.batch = batch;
    }

    Batch batch() {
        return batch;
    }

    long startedNanos() {
        return startedNanos;
    }

    Instant startedAt() {
        return startedAt;
    }

    CompletableFuture<CommitOutcome> result() {
        return result;
    }

    boolean isDone() {
        return result.isDone();
    }

    /** The outcome, once {@link #isDone()}. */
    CommitOutcome outcome() {
        return result.join();
    }

    /** Waits at most {@code wait} for the outcome; true when it is there. */
    boolean awaitDone(Duration wait) {
        try {
            result.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result.isDone();
        }
    }

    /** The warehouse failed at least once on this batch: it is being retried. */
    boolean failing() {
        return failures > 0;
    }

    void failedOnce() {
        failures++;
    }

    /** Asks the committer to give up before its next attempt; an attempt already running finishes. */
    void cancel() {
        cancelled.countDown();
    }

    boolean isCancelled() {
        return cancelled.getCount() == 0;
    }

    /** Sleeps out a backoff on the committer thread; true when cancelled meanwhile. */
    boolean cancelledWithin(Duration backoff) throws InterruptedException {
        return cancelled.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
    }
}
