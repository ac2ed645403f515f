package dev.orderpipeline.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** A resource status that reports conditions: what the shared status-writing code needs of both kinds. */
public interface ConditionedStatus {
    List<Condition> conditions();
}
