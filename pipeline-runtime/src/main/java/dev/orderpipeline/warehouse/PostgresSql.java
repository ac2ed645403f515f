package dev.orderpipeline.warehouse;

import java.util.List;
import java.util.stream.Collectors;

/**
 * PostgreSQL's spelling (15 or later: the upsert is the shared MERGE). Names are unqualified: the
 * session's {@code search_path} is the configured schema, and the staging table is a TEMP table,
 * which PostgreSQL resolves first anyway. Semi-structured values are JSONB, staged as text.
 * Identifiers stay upper case and quoted, as on every dialect of the loader (query them as
 * {@code "ORDERID"}).
 */
public final class PostgresSql extends WarehouseSql {
    private final SqlIdentifier table;

    public PostgresSql(SqlIdentifier table) {
        super(List.of(), table);
        this.table = table;
    }

    @Override
    public String typeName(ColumnType type) {
        return switch (type) {
            case BIGINT -> "BIGINT";
            case DECIMAL -> "NUMERIC(" + ColumnType.DECIMAL_PRECISION + "," + ColumnType.DECIMAL_SCALE + ")";
            case DOUBLE -> "DOUBLE PRECISION";
            case BOOLEAN -> "BOOLEAN";
            case VARCHAR -> "TEXT";
            case VARIANT -> "JSONB";
            case TIMESTAMP -> "TIMESTAMPTZ";
            case TIMESTAMP_LOCAL -> "TIMESTAMP";
            case DATE -> "DATE";
            case TIME -> "TIME";
        };
    }

    @Override
    public ColumnType logicalType(String jdbcTypeName, int scale) {
        String t = jdbcTypeName.toLowerCase();
        return switch (t) {
            case "int8", "int4", "int2", "bigint", "integer", "smallint" -> ColumnType.BIGINT;
            case "numeric", "decimal" -> ColumnType.DECIMAL;
            case "float8", "float4", "double precision", "real" -> ColumnType.DOUBLE;
            case "bool", "boolean" -> ColumnType.BOOLEAN;
            case "jsonb", "json" -> ColumnType.VARIANT;
            case "timestamptz" -> ColumnType.TIMESTAMP;
            case "timestamp" -> ColumnType.TIMESTAMP_LOCAL;
            case "date" -> ColumnType.DATE;
            case "time" -> ColumnType.TIME;
            default -> ColumnType.VARCHAR;
        };
    }

    @Override
    public int maxColumns() {
        return dev.orderpipeline.schema.SchemaLimits.POSTGRES_MAX_COLUMNS;
    }

    /** NAMEDATALEN - 1: PostgreSQL truncates longer names (with a NOTICE only). */
    @Override
    public int maxIdentifierLength() {
        return 63;
    }

    @Override
    protected String variantFromText(String expression) {
        return "CAST(" + expression + " AS JSONB)";
    }

    @Override
    protected String recordMetadataField(String field) {
        return "CAST(" + MetadataColumns.RECORD_METADATA.quoted() + " ->> '" + field + "' AS BIGINT)";
    }

    @Override
    protected String timestampFromEpochMillis(String epochMillis) {
        return "(TO_TIMESTAMP(" + epochMillis + " / 1000.0) AT TIME ZONE 'UTC')";
    }

    /** statement_timestamp(), not now(): now() is the transaction's start, before any lock wait. */
    @Override
    protected String currentTimestampUtc() {
        return "(statement_timestamp() AT TIME ZONE 'UTC')";
    }

    @Override
    public String createStagingTable(List<Column> columns) {
        return "DROP TABLE IF EXISTS pg_temp." + stagingTable() + "; CREATE TEMP TABLE " + stagingTable() + " ("
                + columns.stream()
                        .map(c -> c.name().quoted() + " " + (c.type() == ColumnType.VARIANT ? "TEXT" : typeName(c.type())) + ", ")
                        .collect(Collectors.joining())
                + stagedMetadataColumns("TEXT") + ")";
    }

    /** TRUNCATE, not DELETE: no dead tuples left behind in the staging table batch after batch. */
    @Override
    public String clearStaging() {
        return "TRUNCATE " + stagingTable();
    }

    /** Concurrent loaders may claim the same partition at once: ON CONFLICT cannot fail where MERGE can. */
    @Override
    public String claimPartition() {
        return "INSERT INTO " + WarehouseSql.OFFSETS_TABLE.quoted() + " (\"PIPELINE\", \"TOPIC\", \"PARTITION\", \"NEXT_OFFSET\") "
                + "VALUES (?, ?, ?, -1) ON CONFLICT (\"PIPELINE\", \"TOPIC\", \"PARTITION\") DO NOTHING";
    }

    /** The COPY that fills the staging table (text format) with the columns {@link #insertStaging} binds. */
    public String copyIntoStaging(List<Column> columns) {
        return "COPY " + stagingTable() + " (" + stagedColumnNames(columns) + ") FROM STDIN";
    }

    /**
     * The unique index an upsert needs to find a key without scanning the table (MERGE works
     * without it, but every batch would then join against the whole table).
     */
    public String createKeyIndex(List<SqlIdentifier> keys) {
        return "CREATE UNIQUE INDEX IF NOT EXISTS " + keyIndexName().quoted() + " ON " + targetTable() + " ("
                + keys.stream().map(SqlIdentifier::quoted).collect(Collectors.joining(", ")) + ")";
    }

    SqlIdentifier keyIndexName() {
        String name = table.name() + "_OPL_KEY";
        return SqlIdentifier.of(name.length() > 63 ? name.substring(0, 55) + "_OPL_KEY" : name);
    }
}
