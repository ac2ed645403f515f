package dev.orderpipeline.load;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a failed group offset commit (lag monitoring only), when to commit the warehouse's offsets to the
 * group again: at once the first time (a rebalance is the usual cause and is over by the next turn), then
 * with a capped exponential backoff while the commits keep failing, instead of on every turn of the loop.
 * A run of failures is logged once when it starts and once when it ends, never per attempt.
 *
 * <p>Used on the loop thread only (the consumer runs commit callbacks inside poll()).
 */
final class GroupOffsetRetry {
    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsetRetry.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    /**
     * The cap: the operator's lag (and so lag autoscaling) reads the group's offsets, so once the group
     * takes commits again they should catch up within seconds, whatever the warehouse's retry cap is.
     */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final LongSupplier nanoTime;
    /** Failures since the last success; 0 while group commits succeed. */
    private int failuresInARow;
    /** A failure has not been retried yet. */
    private boolean behind;
    private Backoff backoff;
    private long dueNanos;

    GroupOffsetRetry(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** A group commit failed: a retry is due at once after the first failure, after a growing backoff after the next. */
    void failed(Exception cause) {
        behind = true;
        failuresInARow++;
        if (failuresInARow == 1) {
            backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
            dueNanos = nanoTime.getAsLong();
            LOG.debug("group offset commit failed (lag monitoring only): {}", cause.toString());
        } else {
            dueNanos = nanoTime.getAsLong() + backoff.next().toNanos();
            if (failuresInARow == 2) {
                LOG.warn("group offset commits keep failing (lag monitoring only; the warehouse's offsets decide where "
                        + "loading resumes): {}; retrying with a backoff of up to {} s until one succeeds",
                        cause.toString(), MAX_BACKOFF.toSeconds());
            }
        }
    }

    /** A group commit succeeded: the run of failures is over. */
    void succeeded() {
        if (failuresInARow >= 2) {
            LOG.info("group offset commits succeed again after {} failures", failuresInARow);
        }
        // A retry still due stays due: this success may have covered other partitions than the failure.
        failuresInARow = 0;
        backoff = null;
    }

    /** True once per failure, when its retry is due; the caller then commits the warehouse's offsets again. */
    boolean retryDue() {
        if (!behind || nanoTime.getAsLong() < dueNanos) {
            return false;
        }
        behind = false;
        return true;
    }

    /** Failures since the last successful group commit. */
    int failuresInARow() {
        return failuresInARow;
    }
}
