package dev.orderpipeline.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Per-record freshness: for every record produced during the steady phase, the time from its
 * Kafka timestamp (set by the producer at send) to the first observation of a committed offset (or
 * PostgreSQL watermark) past it. Observations are polled (the loader's status every 2 ms, the
 * replicator's state row every 20 ms), so each figure is late by at most one poll.
 */
final class Freshness {
    /** A moment at which the offsets (next offset to commit, or the last offset applied) stood here. */
    record Observation(long epochMillis, Map<Integer, Long> offsets) {
    }

    record Percentiles(long p50Millis, long p99Millis, long maxMillis, long records) {
    }

    private Freshness() {
    }

    /**
     * @param partition, offset, timestamp the produced records (same index), those with
     *        {@code index < from} are the warm-up and not counted
     * @param inclusive true when an observed offset is the last one applied (the record at it is
     *        visible), false when it is the next one to read (the record at it is not yet committed)
     */
    static Percentiles of(int[] partition, long[] offset, long[] timestamp, int from, int to,
                          List<Observation> observed, boolean inclusive) {
        List<Observation> observations = cumulative(observed);
        long[] latencies = new long[Math.max(0, to - from)];
        int n = 0;
        for (int i = from; i < to; i++) {
            long seen = firstSeen(observations, partition[i], offset[i], inclusive);
            if (seen > 0) {
                latencies[n++] = Math.max(0, seen - timestamp[i]);
            }
        }
        if (n == 0) {
            return new Percentiles(-1, -1, -1, 0);
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        return new Percentiles(percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[n - 1], n);
    }

    /**
     * Offsets only count forward: a partition that disappears from a later observation (revoked
     * when the loader stops, or moved by a rebalance) keeps the highest offset seen before.
     */
    static List<Observation> cumulative(List<Observation> observations) {
        List<Observation> out = new java.util.ArrayList<>(observations.size());
        Map<Integer, Long> max = new java.util.TreeMap<>();
        for (Observation o : observations) {
            o.offsets().forEach((p, v) -> max.merge(p, v, Math::max));
            out.add(new Observation(o.epochMillis(), Map.copyOf(max)));
        }
        return out;
    }

    private static long firstSeen(List<Observation> observations, int partition, long offset, boolean inclusive) {
        // Observations are in time order and offsets only grow: binary search the first one past the record.
        int lo = 0;
        int hi = observations.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Long o = observations.get(mid).offsets().get(partition);
            boolean past = o != null && (inclusive ? o >= offset : o > offset);
            if (past) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo < observations.size() ? observations.get(lo).epochMillis() : -1;
    }

    static long percentile(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
