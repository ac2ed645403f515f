package dev.orderpipeline.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a status's conditions from scratch while keeping Kubernetes' conventions: a condition's
 * lastTransitionTime moves only when its status flips, so an unchanged pipeline writes nothing.
 */
public final class Conditions {
    private final List<Condition> previous;
    private final long observedGeneration;
    private final Clock clock;
    private final List<Condition> built = new ArrayList<>();

    public Conditions(List<Condition> previous, long observedGeneration, Clock clock) {
        this.previous = previous == null ? List.of() : previous;
        this.observedGeneration = observedGeneration;
        this.clock = clock;
    }

    public Conditions set(ConditionType type, boolean status, String reason, String message) {
        String statusText = status ? "True" : "False";
        String transition = find(previous, type)
                .filter(old -> statusText.equals(old.getStatus()) && old.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElseGet(() -> Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        Condition condition = new ConditionBuilder()
                .withType(type.name())
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transition)
                .build();
        // One per type (the CRD's list is keyed by type): setting a type again replaces it where it stands.
        for (int i = 0; i < built.size(); i++) {
            if (type.name().equals(built.get(i).getType())) {
                built.set(i, condition);
                return this;
            }
        }
        built.add(condition);
        return this;
    }

    /** The condition of {@code type} set so far, if any. */
    public java.util.Optional<Condition> get(ConditionType type) {
        return find(built, type);
    }

    public List<Condition> build() {
        return List.copyOf(built);
    }

    public static java.util.Optional<Condition> find(List<Condition> conditions, ConditionType type) {
        if (conditions == null) {
            return java.util.Optional.empty();
        }
        return conditions.stream().filter(c -> Objects.equals(type.name(), c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, ConditionType type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }
}
