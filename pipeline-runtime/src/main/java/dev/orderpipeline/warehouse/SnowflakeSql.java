package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Snowflake's spelling: VARIANT for semi-structured values (staged as text, then PARSE_JSON),
 * TIMESTAMP_NTZ, NUMBER(38,0) for integers, a TEMPORARY staging table private to the session.
 *
 * <p>A schema's instants are TIMESTAMP_TZ, not TIMESTAMP_NTZ: a TIMESTAMP_TZ keeps the instant whatever the
 * session's TIMEZONE, and it tells an instant apart from a wall-clock time (Avro's local-timestamp-*, which is
 * TIMESTAMP_NTZ) when the loader and the replicator read the table's types back. Dates and times are staged as
 * ISO-8601 text ({@link #temporalText}) and converted with an explicit format, so no session input format
 * (TIMESTAMP_INPUT_FORMAT and the like) can change what they mean.
 */
public final class SnowflakeSql extends WarehouseSql {

    public SnowflakeSql(SqlIdentifier database, SqlIdentifier schema, SqlIdentifier table) {
        super(List.of(database, schema), table);
    }

    @Override
    public String typeName(ColumnType type) {
        return switch (type) {
            case BIGINT -> "NUMBER(38,0)";
            case DECIMAL -> "NUMBER(" + ColumnType.DECIMAL_PRECISION + "," + ColumnType.DECIMAL_SCALE + ")";
            case DOUBLE -> "FLOAT";
            case BOOLEAN -> "BOOLEAN";
            case VARCHAR -> "VARCHAR";
            case VARIANT -> "VARIANT";
            case TIMESTAMP -> "TIMESTAMP_TZ(9)";
            case TIMESTAMP_LOCAL -> "TIMESTAMP_NTZ(9)";
            case DATE -> "DATE";
            case TIME -> "TIME(9)";
        };
    }

    @Override
    public ColumnType logicalType(String jdbcTypeName, int scale) {
        String t = jdbcTypeName.toUpperCase();
        if (t.equals("NUMBER") || t.equals("DECIMAL") || t.equals("BIGINT") || t.equals("INTEGER")) {
            return scale == 0 ? ColumnType.BIGINT : ColumnType.DECIMAL;
        }
        if (t.equals("FLOAT") || t.equals("DOUBLE") || t.equals("REAL")) {
            return ColumnType.DOUBLE;
        }
        if (t.equals("BOOLEAN")) {
            return ColumnType.BOOLEAN;
        }
        if (t.equals("VARIANT") || t.equals("OBJECT") || t.equals("ARRAY")) {
            return ColumnType.VARIANT;
        }
        // The driver reports TIMESTAMPTZ, TIMESTAMPNTZ, TIMESTAMPLTZ; DESCRIBE spells them with an underscore.
        String unspaced = t.replace("_", "");
        if (unspaced.equals("TIMESTAMPTZ") || unspaced.equals("TIMESTAMPLTZ")) {
            return ColumnType.TIMESTAMP;
        }
        if (unspaced.equals("TIMESTAMPNTZ") || t.equals("TIMESTAMP") || t.equals("DATETIME")) {
            return ColumnType.TIMESTAMP_LOCAL;
        }
        if (t.equals("DATE")) {
            return ColumnType.DATE;
        }
        if (t.equals("TIME")) {
            return ColumnType.TIME;
        }
        return ColumnType.VARCHAR;
    }

    private static final java.time.format.DateTimeFormatter LOCAL_TIMESTAMP_TEXT =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final java.time.format.DateTimeFormatter TIME_TEXT =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    /**
     * A date or time value as the staged text {@link #temporalFromStaged} converts: always every field, six
     * fraction digits (the values hold microseconds), an instant with the offset +00:00.
     */
    public static String temporalText(Object value) {
        if (value instanceof java.time.Instant i) {
            return LOCAL_TIMESTAMP_TEXT.format(java.time.LocalDateTime.ofInstant(i, java.time.ZoneOffset.UTC)) + "+00:00";
        }
        if (value instanceof java.time.LocalDateTime t) {
            return LOCAL_TIMESTAMP_TEXT.format(t);
        }
        if (value instanceof java.time.LocalTime t) {
            return TIME_TEXT.format(t);
        }
        return value.toString(); // a LocalDate: 2026-12-02
    }

    @Override
    protected String temporalFromStaged(ColumnType type, String expression) {
        return switch (type) {
            case TIMESTAMP -> "TO_TIMESTAMP_TZ(" + expression + ", 'YYYY-MM-DD\"T\"HH24:MI:SS.FF6TZH:TZM')";
            case TIMESTAMP_LOCAL -> "TO_TIMESTAMP_NTZ(" + expression + ", 'YYYY-MM-DD\"T\"HH24:MI:SS.FF6')";
            case DATE -> "TO_DATE(" + expression + ", 'YYYY-MM-DD')";
            case TIME -> "TO_TIME(" + expression + ", 'HH24:MI:SS.FF6')";
            default -> expression;
        };
    }

    /**
     * Snowflake changes neither a NUMBER's scale nor NUMBER to FLOAT in place, so the column is
     * rebuilt: a new column of the wider type, the values copied (every NUMBER(38,0) fits
     * NUMBER(38,18)), the old column dropped, the new one renamed. Snowflake commits each DDL on its
     * own: see the README's Snowflake compatibility table for what a concurrent writer sees.
     */
    @Override
    public List<String> widenColumn(Column widened) {
        SqlIdentifier scratch = SqlIdentifier.of("_OPL_WIDEN_" + Integer.toHexString(widened.name().name().hashCode()));
        String table = targetTable();
        return List.of(
                "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + scratch.quoted() + " " + typeName(widened.type()),
                "UPDATE " + table + " SET " + scratch.quoted() + " = " + widened.name().quoted(),
                "ALTER TABLE " + table + " DROP COLUMN " + widened.name().quoted(),
                "ALTER TABLE " + table + " RENAME COLUMN " + scratch.quoted() + " TO " + widened.name().quoted());
    }

    @Override
    protected String variantFromText(String expression) {
        return "PARSE_JSON(" + expression + ")";
    }

    @Override
    protected String recordMetadataField(String field) {
        return MetadataColumns.RECORD_METADATA.quoted() + ":" + field + "::BIGINT";
    }

    @Override
    protected String timestampFromEpochMillis(String epochMillis) {
        return "TO_TIMESTAMP_NTZ(" + epochMillis + ", 3)";
    }

    /** SYSDATE() is the current time in UTC as TIMESTAMP_NTZ, whatever the session's time zone. */
    @Override
    protected String currentTimestampUtc() {
        return "SYSDATE()";
    }

    @Override
    public String createStagingTable(List<Column> columns) {
        return "CREATE OR REPLACE TEMPORARY TABLE " + stagingTable() + " ("
                + columns.stream()
                        .map(c -> c.name().quoted() + " " + (c.type() == ColumnType.VARIANT || c.type().isTemporal()
                                ? "VARCHAR" : typeName(c.type())) + ", ")
                        .collect(Collectors.joining())
                + stagedMetadataColumns("VARCHAR") + ")";
    }
}
