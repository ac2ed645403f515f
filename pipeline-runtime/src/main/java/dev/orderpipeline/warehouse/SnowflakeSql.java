package dev.orderpipeline.warehouse;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Snowflake's spelling: VARIANT for semi-structured values (staged as text, then PARSE_JSON),
 * TIMESTAMP_NTZ, NUMBER(38,0) for integers, a TEMPORARY staging table private to the session.
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
        return ColumnType.VARCHAR;
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
                        .map(c -> c.name().quoted() + " " + (c.type() == ColumnType.VARIANT ? "VARCHAR" : typeName(c.type())) + ", ")
                        .collect(Collectors.joining())
                + stagedMetadataColumns("VARCHAR") + ")";
    }
}
