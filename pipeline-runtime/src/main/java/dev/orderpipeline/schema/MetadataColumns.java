package dev.orderpipeline.schema;

import dev.orderpipeline.config.SqlIdentifier;
import java.util.List;
import java.util.Set;

/** The columns the loader adds to every target table, after the record's own fields. */
public final class MetadataColumns {
    /** Kafka coordinates of the record, as Snowflake's Kafka connector writes them. */
    public static final SqlIdentifier RECORD_METADATA = SqlIdentifier.of("RECORD_METADATA");
    /** True once a tombstone for the row's key was loaded (upsert mode). */
    public static final SqlIdentifier DELETED = SqlIdentifier.of("_DELETED");
    /** When the row was written, by the warehouse's clock (UTC). */
    public static final SqlIdentifier LOADED_AT = SqlIdentifier.of("_LOADED_AT");
    /**
     * The record's partition, offset and timestamp again, as native columns: RECORD_METADATA is
     * semi-structured, so filtering on it parses it per row and prunes nothing, while these columns
     * let the replicator (and users) select by Kafka position with zone maps or micro-partition pruning.
     */
    public static final SqlIdentifier KAFKA_PARTITION = SqlIdentifier.of("_KAFKA_PARTITION");
    public static final SqlIdentifier KAFKA_OFFSET = SqlIdentifier.of("_KAFKA_OFFSET");
    /** The record's Kafka timestamp (UTC); NULL when the record has none. */
    public static final SqlIdentifier KAFKA_TIMESTAMP = SqlIdentifier.of("_KAFKA_TIMESTAMP");

    /** The native Kafka coordinate columns, in table order. */
    public static final List<SqlIdentifier> KAFKA_COORDINATES = List.of(KAFKA_PARTITION, KAFKA_OFFSET, KAFKA_TIMESTAMP);

    public static final Set<SqlIdentifier> ALL = Set.of(RECORD_METADATA, DELETED, LOADED_AT,
            KAFKA_PARTITION, KAFKA_OFFSET, KAFKA_TIMESTAMP);

    private MetadataColumns() {
    }
}
