package dev.orderpipeline.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loader's rate while its pipeline is full: from its first commit to its last-but-one. A run of N records
 * starts with a batch that nothing overlaps (it fills while the JVM warms up) and ends with a batch smaller than
 * the batch size, which waits out the batch's maximum latency because no more records come; the sink alone
 * (rows from memory, full batches back to back) pays neither. Its rate is compared with this one.
 */
final class SteadyRate {
    private SteadyRate() {
    }

    /** Empty with fewer than three commits: then there is no batch between the first and the last. */
    static Optional<Rate> of(List<ChildJvm.Commit> commits) {
        if (commits.size() < 3) {
            return Optional.empty();
        }
        ChildJvm.Commit first = commits.get(0);
        ChildJvm.Commit lastButOne = commits.get(commits.size() - 2);
        long records = committed(lastButOne.offsets()) - committed(first.offsets());
        long millis = lastButOne.epochMillis() - first.epochMillis();
        return records > 0 && millis > 0 ? Optional.of(new Rate(records, 0, Duration.ofMillis(millis))) : Optional.empty();
    }

    /** Every partition of the bench's topic starts at offset 0, so the next offsets add up to the records committed. */
    private static long committed(Map<Integer, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }
}
