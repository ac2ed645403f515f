package dev.orderpipeline.warehouse;

/**
 * The logical types a JSON value can be loaded as; each dialect names them in its own SQL. Which
 * value gets which type, and how a column widens, is decided in {@code dev.orderpipeline.schema}.
 */
public enum ColumnType {
    BIGINT,
    /** An exact decimal of {@link #DECIMAL_PRECISION} digits, {@link #DECIMAL_SCALE} of them after the point. */
    DECIMAL,
    DOUBLE,
    BOOLEAN,
    VARCHAR,
    /** Semi-structured JSON (arrays, and RECORD_METADATA): VARIANT on Snowflake, JSON text elsewhere. */
    VARIANT;

    /** The widest exact decimal every dialect stores natively (NUMBER(38,s), DECIMAL(38,s), NUMERIC(38,s)). */
    public static final int DECIMAL_PRECISION = 38;
    /**
     * Eighteen digits after the point leave twenty before it: room for every 64-bit integer, signed or
     * unsigned (a BIGINT column widens into it losslessly), for the 18 decimals of token amounts, and
     * for the digits of ordinary doubles (3.141592653589793).
     */
    public static final int DECIMAL_SCALE = 18;
}
