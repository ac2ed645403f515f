package dev.orderpipeline.warehouse;

import java.util.Set;

/** The columns the loader adds to every target table, after the record's own fields. */
public final class MetadataColumns {
    /** Kafka coordinates of the record, as Snowflake's Kafka connector writes them. */
    public static final SqlIdentifier RECORD_METADATA = SqlIdentifier.of("RECORD_METADATA");
    /** True once a tombstone for the row's key was loaded (upsert mode). */
    public static final SqlIdentifier DELETED = SqlIdentifier.of("_DELETED");
    /** When the loader committed the row (UTC). */
    public static final SqlIdentifier LOADED_AT = SqlIdentifier.of("_LOADED_AT");

    public static final Set<SqlIdentifier> ALL = Set.of(RECORD_METADATA, DELETED, LOADED_AT);

    private MetadataColumns() {
    }
}
