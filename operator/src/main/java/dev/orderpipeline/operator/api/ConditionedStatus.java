package dev.orderpipeline.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** A resource status with a phase and conditions: what the shared status-writing code needs of both kinds. */
public interface ConditionedStatus {
    String phase();

    List<Condition> conditions();

    default boolean paused() {
        return "Paused".equals(phase());
    }
}
