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
 * growth since it was last read to the total already reported.
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

    private final Map<ResourceID, Map<String, Seen>> pods = new ConcurrentHashMap<>();

    /**
     * @param reported the total in the stored status, or null when none was written yet
     * @param counts   the count of each pod read now, by pod uid
     */
    public Long total(ResourceID id, Long reported, Map<String, Long> counts, Instant now) {
        if (counts.isEmpty()) {
            return reported;
        }
        Map<String, Seen> before = pods.get(id);
        long total;
        if (before == null) {
            // First reading by this operator process: a stored total already holds these pods' counts.
            total = reported != null ? reported : counts.values().stream().mapToLong(Long::longValue).sum();
            before = new HashMap<>();
        } else {
            total = reported == null ? 0 : reported;
            for (Map.Entry<String, Long> pod : counts.entrySet()) {
                Seen last = before.get(pod.getKey());
                long growth = last == null ? pod.getValue() : pod.getValue() - last.count();
                total += Math.max(0, growth);
            }
        }
        Map<String, Seen> next = new HashMap<>(before);
        next.values().removeIf(seen -> seen.at().plus(FORGET_AFTER).isBefore(now));
        counts.forEach((pod, count) -> next.put(pod, new Seen(count, now)));
        pods.put(id, next);
        return total;
    }

    public void forget(ResourceID id) {
        pods.remove(id);
    }
}
