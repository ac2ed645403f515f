package dev.orderpipeline.operator.status;

/** The condition types this operator sets, following Kubernetes' kstatus conventions. */
public enum ConditionType {
    /** The loaders run the current spec and are all ready. */
    Ready,
    /** The operator is still moving the workloads towards the spec (a rollout is in progress). */
    Reconciling,
    /** The operator cannot make progress until the user changes something (spec or a Secret). */
    Stalled
}
