package dev.orderpipeline.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.junit.jupiter.api.Test;

/** The loader's re-commits of the group offsets after failed group commits, on a clock the test moves. */
class GroupOffsetRetryTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final GroupOffsetRetry retry = new GroupOffsetRetry(now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void nothingIsRetriedWhileGroupCommitsSucceed() {
        retry.succeeded();
        assertFalse(retry.retryDue());
    }

    @Test
    void aFirstFailureIsRetriedOnTheNextTurnAndOnlyOnce() {
        retry.failed(new CommitFailedException());
        assertTrue(retry.retryDue());
        assertFalse(retry.retryDue(), "one retry per failure, not one per turn");
    }

    @Test
    void failuresInARowAreRetriedAfterAGrowingBackoffThatStaysUnderItsCap() {
        retry.failed(new CommitFailedException());
        assertTrue(retry.retryDue());
        long previousWait = 0;
        for (int attempt = 2; attempt <= 12; attempt++) {
            retry.failed(new CommitFailedException());
            // Turns of the loop every 100 ms: the retry waits its backoff, it is not made on every turn.
            long waited = 0;
            while (!retry.retryDue()) {
                advance(Duration.ofMillis(100));
                waited += 100;
                assertTrue(waited <= GroupOffsetRetry.MAX_BACKOFF.toMillis() * 6 / 5 + 100,
                        "attempt " + attempt + " waited " + waited + " ms, above the cap plus jitter");
            }
            if (attempt == 2) {
                assertTrue(waited >= 200, "the second failure waits at least the first backoff: " + waited);
            }
            if (attempt <= 6) {
                assertTrue(waited >= previousWait, "the backoff grows: " + previousWait + " then " + waited);
            }
            previousWait = waited;
        }
        assertTrue(previousWait >= GroupOffsetRetry.MAX_BACKOFF.toMillis(), "it reached the cap: " + previousWait);
        assertEquals(12, retry.failuresInARow());
    }

    @Test
    void aSuccessEndsTheRunOfFailuresSoTheNextFailureIsRetriedAtOnce() {
        for (int i = 0; i < 5; i++) {
            retry.failed(new CommitFailedException());
            advance(GroupOffsetRetry.MAX_BACKOFF.multipliedBy(2));
            assertTrue(retry.retryDue());
        }
        retry.succeeded();
        assertEquals(0, retry.failuresInARow());
        retry.failed(new CommitFailedException());
        assertTrue(retry.retryDue(), "a new run starts with an immediate retry");
    }

    @Test
    void aRetryStillDueIsNotCancelledByAnotherCommitSucceeding() {
        retry.failed(new CommitFailedException());
        retry.succeeded(); // a batch's commit of other partitions
        assertTrue(retry.retryDue());
    }
}
