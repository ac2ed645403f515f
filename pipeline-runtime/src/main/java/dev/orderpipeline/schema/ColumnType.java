package dev.orderpipeline.schema;

/**
 * The logical types a value can be loaded as; each dialect names them in its own SQL. Which
 * value gets which type, and how a column widens, is decided in {@code dev.orderpipeline.schema}.
 * The temporal types come only from a registry schema that declares them (schemaless JSON never
 * guesses a date from a string): they hold the years 1 to 9999, to the microsecond.
 */
public enum ColumnType {
    BIGINT,
    /** An exact decimal of {@link #DECIMAL_PRECISION} digits, {@link #DECIMAL_SCALE} of them after the point. */
    DECIMAL,
    DOUBLE,
    BOOLEAN,
    VARCHAR,
    /** Semi-structured JSON (arrays, and RECORD_METADATA): VARIANT on Snowflake, JSON text elsewhere. */
    VARIANT,
    /** An instant on the UTC time line (Avro timestamp-*, google.protobuf.Timestamp, JSON Schema date-time). */
    TIMESTAMP,
    /** A wall-clock date and time without a time zone (Avro local-timestamp-*). */
    TIMESTAMP_LOCAL,
    /** A calendar date (Avro date, google.type.Date, JSON Schema date). */
    DATE,
    /** A time of day without a time zone (Avro time-millis/-micros, google.type.TimeOfDay). */
    TIME;

    /** Whether the type is one of the date and time types. */
    public boolean isTemporal() {
        return this == TIMESTAMP || this == TIMESTAMP_LOCAL || this == DATE || this == TIME;
    }

    /** The widest exact decimal every dialect stores natively (NUMBER(38,s), DECIMAL(38,s), NUMERIC(38,s)). */
    public static final int DECIMAL_PRECISION = 38;
    /**
     * Eighteen digits after the point leave twenty before it: room for every 64-bit integer, signed or
     * unsigned (a BIGINT column widens into it losslessly), for the 18 decimals of token amounts, and
     * for the digits of ordinary doubles (3.141592653589793).
     */
    public static final int DECIMAL_SCALE = 18;
}
