package dev.orderpipeline.operator.status;

/** The condition types this operator sets, following Kubernetes' kstatus conventions. */
public enum ConditionType {
    /** The loaders run the current spec and are all ready. */
    Ready,
    /** The operator is still moving the workloads towards the spec (a rollout is in progress). */
    Reconciling,
    /** The operator cannot make progress until the user changes something (spec or a Secret). */
    Stalled,
    /** The operator could read the source topic's partitions and consumer lag from Kafka. */
    SourceReachable,
    /**
     * No loader has a warehouse commit running for longer than a stall takes to be called one (a
     * locked table, a suspended warehouse, a hung connection); while one has, its partitions are paused.
     */
    SinkWriting,
    /**
     * Every partition reads on from the offset stored with the warehouse. False while a partition is held
     * because its stored offset is outside the topic's log (offsetReset fail), or after a loader reset one
     * (offsetReset earliest or latest: records were skipped or re-read), until the loaders restart.
     */
    OffsetsInRange,
    /** The latest finished dbt run succeeded (its run summary reports no failed model or test). */
    DbtSucceeded
}
