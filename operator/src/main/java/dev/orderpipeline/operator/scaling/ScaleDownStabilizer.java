package dev.orderpipeline.operator.scaling;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HorizontalPodAutoscaler's scale-down stabilisation: the replicas applied are the highest
 * recommendation of the last {@code window}. A rise applies at once (the newest recommendation is the
 * highest); a fall applies only once every higher recommendation has aged out of the window, so lag
 * dipping for a moment does not remove loaders that are needed again a minute later (no flapping).
 *
 * <p>The history lives in memory. After an operator restart it is seeded with the replicas last
 * applied, so a restart never causes a scale-down before a full window has passed.
 */
public final class ScaleDownStabilizer {
    private record Recommendation(Instant at, int replicas) {
    }

    private final Map<ResourceID, Deque<Recommendation>> history = new ConcurrentHashMap<>();

    /**
     * @param recommended what the lag asks for now
     * @param applied     the replicas applied before (the status's desiredReplicas), if any; seeds a fresh history
     * @return the replicas to apply
     */
    public int stabilize(ResourceID id, int recommended, Optional<Integer> applied, Duration window, Instant now) {
        Deque<Recommendation> recommendations = history.computeIfAbsent(id, k -> {
            Deque<Recommendation> seeded = new ArrayDeque<>();
            applied.ifPresent(replicas -> seeded.add(new Recommendation(now, replicas)));
            return seeded;
        });
        synchronized (recommendations) {
            recommendations.addLast(new Recommendation(now, recommended));
            Instant oldest = now.minus(window);
            while (recommendations.size() > 1 && recommendations.peekFirst().at().isBefore(oldest)) {
                recommendations.removeFirst();
            }
            return recommendations.stream().mapToInt(Recommendation::replicas).max().orElse(recommended);
        }
    }

    /**
     * When the applied replicas may next fall: the moment the newest recommendation above the current one
     * leaves the window; empty when no fall is pending.
     */
    public Optional<Instant> nextScaleDown(ResourceID id, int recommended, Duration window) {
        Deque<Recommendation> recommendations = history.get(id);
        if (recommendations == null) {
            return Optional.empty();
        }
        synchronized (recommendations) {
            return recommendations.stream().filter(r -> r.replicas() > recommended)
                    .map(r -> r.at().plus(window)).max(Instant::compareTo);
        }
    }

    public void forget(ResourceID id) {
        history.remove(id);
    }
}
