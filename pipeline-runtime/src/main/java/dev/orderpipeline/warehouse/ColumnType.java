package dev.orderpipeline.warehouse;

/** The logical types a JSON value can be loaded as; each dialect names them in its own SQL. */
public enum ColumnType {
    BIGINT,
    DOUBLE,
    BOOLEAN,
    VARCHAR,
    /** Semi-structured JSON (arrays, and RECORD_METADATA): VARIANT on Snowflake, JSON text elsewhere. */
    VARIANT
}
