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
    /**
     * Only for a pipeline whose records need a Schema Registry (spec.source.format or keyFormat avro, json_sr or
     * protobuf): the loaders' registry answers. False once a loader has waited on it for as long as a sink stall
     * takes to be called one; its records wait in Kafka and are read again, none is skipped.
     */
    SchemaRegistryAvailable,
    /** The latest finished dbt run succeeded (its run summary reports no failed model or test). */
    DbtSucceeded
}
