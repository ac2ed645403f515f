package dev.orderpipeline.cdc;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The column types the replicator carries from a warehouse to PostgreSQL, each with its PostgreSQL
 * type, how it is read from any JDBC result set and how it is written in COPY's CSV format.
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
    private static final Instant FIRST_YEAR = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant PAST_YEAR_9999 = Instant.parse("9999-12-31T23:59:59.999999Z");
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

    /** The value in COPY's CSV format: NULL is an unquoted empty field, text is always quoted. */
    public static void appendCsv(StringBuilder out, Object value) {
        if (value == null) {
            return;
        }
        // Most values are numbers and timestamps: appended without an intermediate String each.
        if (value instanceof Long l) {
            out.append(l.longValue());
        } else if (value instanceof String s) {
            out.append('"');
            if (s.indexOf('"') < 0) {
                out.append(s);
            } else {
                out.append(s.replace("\"", "\"\""));
            }
            out.append('"');
        } else if (value instanceof Double d) {
            out.append(d.doubleValue());
        } else if (value instanceof BigDecimal d) {
            out.append(d.toPlainString());
        } else if (value instanceof Boolean b) {
            out.append(b ? "t" : "f");
        } else if (value instanceof LocalDateTime t) {
            appendLocal(out, t);
        } else if (value instanceof Instant i && i.getNano() % 1000 == 0 && i.isAfter(FIRST_YEAR) && i.isBefore(PAST_YEAR_9999)) {
            appendLocal(out, LocalDateTime.ofEpochSecond(i.getEpochSecond(), i.getNano(), ZoneOffset.UTC));
            out.append("+00");
        } else {
            out.append(value);
        }
    }

    /** {@link #LOCAL}'s spelling without its formatter, which costs more than the rest of a row's CSV. */
    private static void appendLocal(StringBuilder out, LocalDateTime t) {
        if (t.getYear() < 1 || t.getYear() > 9999) {
            out.append(LOCAL.format(t));
            return;
        }
        pad(out, t.getYear(), 4).append('-');
        pad(out, t.getMonthValue(), 2).append('-');
        pad(out, t.getDayOfMonth(), 2).append(' ');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2).append('.');
        pad(out, t.getNano() / 1000, 6);
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        for (int limit = 10, i = 1; i < width; i++, limit *= 10) {
            if (value < limit) {
                out.append('0');
            }
        }
        return out.append(value);
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
