package dev.orderpipeline.operator.status;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code status.recordsLoaded} as a total that never goes backwards: each loader counts from zero when it
 * starts, so a sum over the running pods drops on every restart and scale-down. The tally adds each pod's
 * growth since it was last read to the total it last counted (the stored status's at this process's first reading).
 *
 * <p>What it cannot see: records a pod loaded after its last reading and before it ended, and, after an
 * operator restart, what the pods loaded between the last status write and the first new reading (the
 * total resumes from the stored status, the pods' counts at that moment as the baseline). The total is a
 * lower bound; the warehouse table is the exact count.
 */
public final class LoadedRecordsTally {
    /** A pod not read for this long is forgotten (it ended, or its pipeline is gone). */
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    private record Seen(long count, Instant at) {
    }

    /** What this process last counted for a resource: its total, and each pod's count when last read. */
    private record Tally(long total, Map<String, Seen> pods) {
    }

    private final Map<ResourceID, Tally> tallies = new ConcurrentHashMap<>();

    /**
     * @param reported the total in the stored status, or null when none was written yet; used only at this
     *                 process's first reading of the resource: later, the status in hand may be a cached copy
     *                 from before the last write (or that write failed), so the total goes on from this
     *                 process's own last count instead
     * @param counts   the count of each pod read now, by pod uid
     */
    public Long total(ResourceID id, Long reported, Map<String, Long> counts, Instant now) {
        Tally before = tallies.get(id);
        if (counts.isEmpty()) {
            return before != null ? Long.valueOf(before.total()) : reported;
        }
        long total;
        Map<String, Seen> seen;
        if (before == null) {
            // First reading by this operator process: a stored total already holds these pods' counts.
            total = reported != null ? reported : counts.values().stream().mapToLong(Long::longValue).sum();
            seen = new HashMap<>();
        } else {
            total = before.total();
            seen = before.pods();
            for (Map.Entry<String, Long> pod : counts.entrySet()) {
                Seen last = seen.get(pod.getKey());
                long growth = last == null ? pod.getValue() : pod.getValue() - last.count();
                total += Math.max(0, growth);
            }
        }
        Map<String, Seen> next = new HashMap<>(seen);
        next.values().removeIf(pod -> pod.at().plus(FORGET_AFTER).isBefore(now));
        counts.forEach((pod, count) -> next.put(pod, new Seen(count, now)));
        tallies.put(id, new Tally(total, next));
        return total;
    }

    public void forget(ResourceID id) {
        tallies.remove(id);
    }
}
