package dev.orderpipeline.cdc;

import dev.orderpipeline.warehouse.PgBinaryCopy;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Locale;

/**
 * The column types the replicator carries from a warehouse to PostgreSQL, each with its PostgreSQL
 * type, how it is read from any JDBC result set and how it is written in COPY's binary format.
 */
public enum CdcType {
    BIGINT("bigint", "int8"),
    DOUBLE("double precision", "float8"),
    NUMERIC("numeric", "numeric"),
    BOOLEAN("boolean", "bool"),
    TEXT("text", "text"),
    JSON("jsonb", "jsonb"),
    DATE("date", "date"),
    TIME("time", "time"),
    TIMESTAMP("timestamp", "timestamp"),
    TIMESTAMPTZ("timestamptz", "timestamptz");

    private static final java.time.format.DateTimeFormatter LOCAL =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private final String pgType;
    private final String pgUdtName;

    CdcType(String pgType, String pgUdtName) {
        this.pgType = pgType;
        this.pgUdtName = pgUdtName;
    }

    /** The type in PostgreSQL DDL. */
    public String pgType() {
        return pgType;
    }

    /** The type as {@code information_schema.columns.udt_name} reports it. */
    public String pgUdtName() {
        return pgUdtName;
    }

    /** The type of a warehouse column (DuckDB, Snowflake) or a PostgreSQL column, from JDBC metadata. */
    public static CdcType of(ResultSetMetaData md, int column) throws SQLException {
        String name = md.getColumnTypeName(column) == null ? "" : md.getColumnTypeName(column).toUpperCase(Locale.ROOT);
        if (name.equals("VARIANT") || name.equals("OBJECT") || name.equals("ARRAY") || name.equals("JSON")
                || name.equals("JSONB")) {
            return JSON;
        }
        if (name.contains("TIMESTAMPTZ") || name.contains("TIMESTAMP_TZ") || name.contains("TIMESTAMP_LTZ")
                || name.contains("WITH TIME ZONE")) {
            return TIMESTAMPTZ;
        }
        return switch (md.getColumnType(column)) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> BIGINT;
            case Types.DECIMAL, Types.NUMERIC -> md.getScale(column) == 0 ? BIGINT : NUMERIC;
            case Types.DOUBLE, Types.FLOAT, Types.REAL -> DOUBLE;
            case Types.BOOLEAN, Types.BIT -> BOOLEAN;
            case Types.DATE -> DATE;
            case Types.TIME -> TIME;
            case Types.TIMESTAMP -> TIMESTAMP;
            case Types.TIMESTAMP_WITH_TIMEZONE -> TIMESTAMPTZ;
            default -> TEXT;
        };
    }

    /** Reads a value as a Java object (Long, Double, BigDecimal, Boolean, String, LocalDate, LocalTime, LocalDateTime, Instant). */
    public Object read(ResultSet rs, int column) throws SQLException {
        Object value = switch (this) {
            case BIGINT -> rs.getLong(column);
            case DOUBLE -> rs.getDouble(column);
            case NUMERIC -> rs.getBigDecimal(column);
            case BOOLEAN -> rs.getBoolean(column);
            case TEXT, JSON -> rs.getString(column);
            case DATE -> {
                String s = rs.getString(column);
                yield s == null ? null : LocalDate.parse(s.trim().substring(0, 10));
            }
            case TIME -> readTime(rs, column);
            case TIMESTAMP -> readLocal(rs, column);
            case TIMESTAMPTZ -> readInstant(rs, column);
        };
        return rs.wasNull() ? null : value;
    }

    /**
     * A timestamp without time zone as its wall-clock value: JDBC 4.2's LocalDateTime where the driver
     * has it (PostgreSQL, DuckDB), else the driver's Timestamp in wall-clock terms (Snowflake, whose
     * text form of TIMESTAMP_NTZ depends on session formats).
     */
    private static LocalDateTime readLocal(ResultSet rs, int column) throws SQLException {
        try {
            return rs.getObject(column, LocalDateTime.class);
        } catch (SQLException | RuntimeException unsupported) {
            Timestamp t = rs.getTimestamp(column);
            return t == null ? null : t.toLocalDateTime();
        }
    }

    /**
     * An instant: JDBC 4.2's OffsetDateTime where the driver has it (PostgreSQL, DuckDB), which keeps every
     * microsecond whatever the JVM's time zone; else the driver's Timestamp (Snowflake), an instant too.
     */
    private static Instant readInstant(ResultSet rs, int column) throws SQLException {
        try {
            java.time.OffsetDateTime t = rs.getObject(column, java.time.OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        } catch (SQLException | RuntimeException unsupported) {
            Timestamp t = rs.getTimestamp(column);
            return t == null ? null : t.toInstant();
        }
    }

    /**
     * A time of day: with its microseconds from PostgreSQL (JDBC 4.2's LocalTime) and DuckDB (no LocalTime, but
     * its text is ISO-8601 with every digit). Snowflake's driver keeps only milliseconds: its LocalTime and its
     * text (TIME_OUTPUT_FORMAT, HH24:MI:SS by default) drop the whole fraction, and its java.sql.Time holds the
     * milliseconds since midnight UTC (the README's known limits).
     */
    public static java.time.LocalTime readTime(ResultSet rs, int column) throws SQLException {
        if (rs.isWrapperFor(net.snowflake.client.jdbc.SnowflakeResultSet.class)) {
            java.sql.Time t = rs.getTime(column);
            return t == null ? null : java.time.LocalTime.ofNanoOfDay(Math.floorMod(t.getTime(), 86_400_000L) * 1_000_000L);
        }
        if (rs.getObject(column) == null) {
            return null;
        }
        try {
            return rs.getObject(column, java.time.LocalTime.class);
        } catch (SQLException | RuntimeException unsupported) {
            return java.time.LocalTime.parse(rs.getString(column).trim());
        }
    }

    /** Parses a timestamp without time zone as DuckDB, Snowflake and PostgreSQL print it. */
    public static LocalDateTime parseLocal(String text) {
        String s = text.trim().replace(' ', 'T');
        if (s.length() == 10) {
            s += "T00:00:00";
        }
        return LocalDateTime.parse(s);
    }

    /**
     * Writes a value of this type (as {@link #read} returns it) in COPY's binary format. The target column has
     * exactly this type ({@code ensureColumns} refuses any other), so each value goes as that type's own bytes.
     */
    public void writeBinary(PgBinaryCopy out, Object value, String column) throws SQLException {
        if (value == null) {
            out.writeNull();
            return;
        }
        switch (this) {
            case BIGINT -> out.writeLong(((Number) value).longValue());
            case DOUBLE -> out.writeDouble(((Number) value).doubleValue());
            case NUMERIC -> out.writeNumeric(value instanceof BigDecimal d ? d : new BigDecimal(value.toString()));
            case BOOLEAN -> out.writeBoolean((Boolean) value);
            case TEXT -> out.writeText(value.toString(), column);
            case JSON -> out.writeJsonb(value.toString(), column);
            case DATE -> out.writeDate((LocalDate) value);
            case TIME -> out.writeTime((java.time.LocalTime) value);
            case TIMESTAMP -> out.writeTimestamp((LocalDateTime) value);
            case TIMESTAMPTZ -> out.writeTimestamp((Instant) value);
        }
    }

    /** A spelling of the value that is the same whichever database it was read from (for checksums). */
    public static String canonical(Object value) {
        if (value == null) {
            return "\u2400";
        }
        if (value instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        if (value instanceof Instant i) {
            return Long.toString(i.toEpochMilli());
        }
        if (value instanceof LocalDateTime t) {
            return LOCAL.format(t);
        }
        return value.toString();
    }
}
