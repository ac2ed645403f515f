package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * PostgreSQL's spelling (15 or later, for MERGE). Names are unqualified: the
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

    /** How DDL spells a column type, and the name PostgreSQL's catalog (so JDBC's metadata) gives the type it makes. */
    private record PgType(String ddl, String catalog) {
    }

    private static final Map<ColumnType, PgType> TYPES = new EnumMap<>(ColumnType.class);

    static {
        for (ColumnType type : ColumnType.values()) {
            TYPES.put(type, switch (type) {
                case BIGINT -> new PgType("BIGINT", "int8");
                case DECIMAL -> new PgType("NUMERIC(" + ColumnType.DECIMAL_PRECISION + "," + ColumnType.DECIMAL_SCALE + ")", "numeric");
                case DOUBLE -> new PgType("DOUBLE PRECISION", "float8");
                case BOOLEAN -> new PgType("BOOLEAN", "bool");
                case VARCHAR -> new PgType("TEXT", "text");
                case VARIANT -> new PgType("JSONB", "jsonb");
                case TIMESTAMP -> new PgType("TIMESTAMPTZ", "timestamptz");
                case TIMESTAMP_LOCAL -> new PgType("TIMESTAMP", "timestamp");
                case DATE -> new PgType("DATE", "date");
                case TIME -> new PgType("TIME", "time");
            });
        }
    }

    @Override
    public String typeName(ColumnType type) {
        return TYPES.get(type).ddl();
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

    /**
     * The catalog's name (as JDBC reports it) of the column type {@link #typeName} creates: the type whose binary
     * format COPY sends for a value of {@code type} when it writes straight into the target.
     */
    public static String catalogTypeName(ColumnType type) {
        return TYPES.get(type).catalog();
    }

    /** The catalog's names of the types of the loader's own columns, as {@link #createTargetTable} makes them. */
    public static final Map<SqlIdentifier, String> METADATA_CATALOG_TYPES = Map.of(
            MetadataColumns.RECORD_METADATA, catalogTypeName(ColumnType.VARIANT),
            MetadataColumns.DELETED, catalogTypeName(ColumnType.BOOLEAN),
            MetadataColumns.LOADED_AT, catalogTypeName(ColumnType.TIMESTAMP_LOCAL),
            MetadataColumns.KAFKA_PARTITION, catalogTypeName(ColumnType.BIGINT),
            MetadataColumns.KAFKA_OFFSET, catalogTypeName(ColumnType.BIGINT),
            MetadataColumns.KAFKA_TIMESTAMP, catalogTypeName(ColumnType.TIMESTAMP_LOCAL));

    /**
     * Whether binary COPY stages a column of this type natively (8-byte integers and doubles, a boolean byte);
     * every other type is staged as its text and cast in the upsert (exact: the loader already converted the
     * value to the column's type, so the text is that value's own spelling). Binary NUMERIC is a base-10000
     * digit format that saves little over PostgreSQL's numeric parser.
     */
    public static boolean stagedNatively(ColumnType type) {
        return type == ColumnType.BIGINT || type == ColumnType.DOUBLE || type == ColumnType.BOOLEAN;
    }

    @Override
    public String createStagingTable(List<Column> columns) {
        return "DROP TABLE IF EXISTS pg_temp." + stagingTable() + "; CREATE TEMP TABLE " + stagingTable() + " ("
                + columns.stream()
                        .map(c -> c.name().quoted() + " " + (stagedNatively(c.type()) ? typeName(c.type()) : "TEXT") + ", ")
                        .collect(Collectors.joining())
                + stagedMetadataColumns("TEXT") + ")";
    }

    @Override
    protected String fromStaged(Column column) {
        String ref = column.name().quoted();
        if (column.type() == ColumnType.VARIANT) {
            return variantFromText(ref);
        }
        return stagedNatively(column.type()) || column.type() == ColumnType.VARCHAR ? ref
                : "CAST(" + ref + " AS " + typeName(column.type()) + ")";
    }

    /**
     * With a unique index on the key, {@code INSERT … ON CONFLICT DO UPDATE} instead of MERGE: the insert probes
     * the index once per row where MERGE first joins the staged rows against the target (measured on the
     * loader's table shape, 50,000 rows a batch: ~20 % less time for new keys, ~40 % less for updates; BENCH.md).
     * Tombstones never insert: they only flag an existing row deleted and move its metadata, in a second
     * statement run only when the batch has one. The batch holds one row per key, so neither statement meets
     * a key twice. Without the index (not created yet, or refused by duplicate keys from an append-only past)
     * ON CONFLICT cannot name its arbiter, so the shared MERGE runs.
     */
    @Override
    public List<String> upsertFromStaging(List<Column> columns, List<SqlIdentifier> keys, boolean keyIsUnique, boolean tombstones) {
        if (!keyIsUnique) {
            return super.upsertFromStaging(columns, keys, false, tombstones);
        }
        String deleted = MetadataColumns.DELETED.quoted();
        String keyList = keys.stream().map(SqlIdentifier::quoted).collect(Collectors.joining(", "));
        String metadata = java.util.stream.Stream.concat(java.util.stream.Stream.of(MetadataColumns.RECORD_METADATA,
                        MetadataColumns.LOADED_AT), MetadataColumns.KAFKA_COORDINATES.stream())
                .map(c -> c.quoted() + " = %s." + c.quoted()).collect(Collectors.joining(", "));
        String setValues = columns.stream().filter(c -> !keys.contains(c.name()))
                .map(c -> c.name().quoted() + " = excluded." + c.name().quoted() + ", ").collect(Collectors.joining());
        String upsert = "INSERT INTO " + targetTable() + " AS t (" + targetColumnNames(columns) + ") SELECT * FROM ("
                + stagedRows(columns) + ") AS s WHERE NOT s." + deleted + " ON CONFLICT (" + keyList + ") DO UPDATE SET "
                + setValues + deleted + " = excluded." + deleted + ", " + metadata.replace("%s", "excluded");
        if (!tombstones) {
            return List.of(upsert);
        }
        String on = keysMatch(keys);
        String flagDeleted = "UPDATE " + targetTable() + " AS t SET " + deleted + " = s." + deleted + ", "
                + metadata.replace("%s", "s") + " FROM (" + stagedRows(columns) + ") AS s WHERE s." + deleted + " AND " + on;
        return List.of(upsert, flagDeleted);
    }

    /** TRUNCATE, not DELETE: no dead tuples left behind in the staging table batch after batch. */
    @Override
    public String clearStaging(List<Column> columns) {
        return "TRUNCATE " + stagingTable();
    }

    /** Concurrent loaders may claim the same partition at once: ON CONFLICT cannot fail where MERGE can. */
    @Override
    public String claimPartition() {
        return "INSERT INTO " + WarehouseSql.OFFSETS_TABLE.quoted() + " (\"PIPELINE\", \"TOPIC\", \"PARTITION\", \"NEXT_OFFSET\") "
                + "VALUES (?, ?, ?, -1) ON CONFLICT (\"PIPELINE\", \"TOPIC\", \"PARTITION\") DO NOTHING";
    }

    /**
     * The COPY that fills the staging table (binary format: see {@link #stagedNatively}) with the columns
     * {@link #insertStaging} binds.
     */
    public String copyIntoStaging(List<Column> columns) {
        return "COPY " + stagingTable() + " (" + stagedColumnNames(columns) + ") FROM STDIN (FORMAT binary)";
    }

    /**
     * The COPY that writes rows straight into the target, every column in the target's own binary format, with
     * the columns {@link #targetColumnNames} lists: the rows that need no upsert (see {@code PostgresWarehouse}).
     */
    public String copyIntoTarget(List<Column> columns) {
        return "COPY " + targetTable() + " (" + targetColumnNames(columns) + ") FROM STDIN (FORMAT binary)";
    }

    /**
     * Which of a batch's keys the target holds. Binds one array per key column, in order: a BIGINT column's values
     * as a {@code bigint[]}, any other's as a {@code text[]} of each value's text, cast here to the column's type
     * as the staging path casts it. Returns the 1-based positions in those arrays of the keys found. Each key is
     * looked up in the unique index on its own ({@code LATERAL … LIMIT 1}): as a join, the planner would read the
     * whole index once the batch is large, whatever the table's size.
     */
    public String keysHeld(List<Column> keyColumns) {
        return keysHeld(targetTable(), keyColumns.stream()
                .map(k -> new KeyColumn(k.name().quoted(), typeName(k.type()), k.type() == ColumnType.BIGINT)).toList());
    }

    /** A key column as {@link #keysHeld(String, List)} looks it up: its values bound as a {@code bigint[]} when {@code bigint}. */
    public record KeyColumn(String quotedName, String typeName, boolean bigint) {
    }

    /**
     * {@link #keysHeld(List)} on any keyed PostgreSQL table (the replicator's target too): a {@code bigint[]} for
     * a {@code bigint} key column, else a {@code text[]} cast to the column's type.
     */
    public static String keysHeld(String table, List<KeyColumn> keys) {
        StringBuilder arrays = new StringBuilder();
        StringBuilder names = new StringBuilder();
        StringBuilder match = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            KeyColumn key = keys.get(i);
            String sep = i == 0 ? "" : ", ";
            arrays.append(sep).append(key.bigint() ? "CAST(? AS BIGINT[])" : "CAST(? AS TEXT[])");
            names.append(sep).append("v").append(i);
            match.append(i == 0 ? "" : " AND ").append("t.").append(key.quotedName()).append(" = ")
                    .append(key.bigint() ? "k.v" + i : "CAST(k.v" + i + " AS " + key.typeName() + ")");
        }
        return "SELECT k.o FROM unnest(" + arrays + ") WITH ORDINALITY AS k(" + names + ", o) CROSS JOIN LATERAL (SELECT 1 FROM "
                + table + " AS t WHERE " + match + " LIMIT 1) AS held";
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
