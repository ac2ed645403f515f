package dev.orderpipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SteadyRateTest {
    @Test
    void theRateRunsFromTheFirstCommitToTheLastButOneLeavingOutTheFillAndTheDrain() {
        List<ChildJvm.Commit> commits = List.of(
                new ChildJvm.Commit(10_000, Map.of(0, 25_000L, 1, 25_000L)),   // the first batch: filled while warming up
                new ChildJvm.Commit(10_200, Map.of(0, 50_000L, 1, 50_000L)),
                new ChildJvm.Commit(10_500, Map.of(0, 75_000L, 1, 75_000L)),
                new ChildJvm.Commit(11_500, Map.of(0, 80_000L, 1, 80_000L))); // the last, small batch: waited 1 s
        Rate steady = SteadyRate.of(commits).orElseThrow();
        assertEquals(100_000, steady.records());
        assertEquals(500, steady.elapsed().toMillis());
        assertEquals(200_000, steady.recordsPerSecond(), 1e-6);
    }

    @Test
    void twoCommitsLeaveNoBatchBetweenThem() {
        assertTrue(SteadyRate.of(List.of(new ChildJvm.Commit(1, Map.of(0, 5L)), new ChildJvm.Commit(2, Map.of(0, 9L)))).isEmpty());
    }
}
