package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The SQL the loader issues, in one place per dialect. This class holds the statements every
 * supported warehouse understands; a dialect overrides only what it spells differently (type
 * names, semi-structured values, timestamps). Every identifier is a validated {@link SqlIdentifier},
 * always quoted; every value is a bind parameter or a number this code produced.
 */
public abstract class WarehouseSql {
    public static final SqlIdentifier OFFSETS_TABLE = SqlIdentifier.of("ORDERPIPELINE_OFFSETS");
    public static final SqlIdentifier STAGING_TABLE = SqlIdentifier.of("ORDERPIPELINE_STAGE");

    private final String targetTable;
    private final String offsetsTable;

    protected WarehouseSql(List<SqlIdentifier> namespace, SqlIdentifier table) {
        String prefix = namespace.stream().map(SqlIdentifier::quoted).map(s -> s + ".").collect(Collectors.joining());
        this.targetTable = prefix + table.quoted();
        this.offsetsTable = prefix + OFFSETS_TABLE.quoted();
    }

    // ---- dialect hooks

    /** The column type of a logical type in the target table. */
    public abstract String typeName(ColumnType type);

    /** The logical type of a column as the JDBC driver reports it, for tables that already exist. */
    public abstract ColumnType logicalType(String jdbcTypeName, int scale);

    /**
     * How a staged date or time becomes the target's: the staging column has the target's type by default, so
     * the value is already there. A dialect that stages them as text (Snowflake) converts them here.
     */
    protected String temporalFromStaged(ColumnType type, String expression) {
        return expression;
    }

    /** How a staged JSON text becomes a target VARIANT value. */
    protected abstract String variantFromText(String expression);

    /** A UTC timestamp (no time zone) from an expression of epoch milliseconds. */
    protected abstract String timestampFromEpochMillis(String epochMillis);

    /**
     * The warehouse's clock now, as a UTC timestamp without time zone, taken when the statement runs
     * (not when the batch was built): {@code _LOADED_AT} and the offsets' {@code UPDATED_AT}.
     */
    protected abstract String currentTimestampUtc();

    /**
     * The warehouse's clock as {@code _LOADED_AT} takes it, for rows written straight into the target (PostgreSQL's
     * COPY, DuckDB's Appender) rather than by a statement that reads the clock itself.
     */
    public String selectCurrentTimestamp() {
        return "SELECT " + currentTimestampUtc();
    }

    /**
     * A BIGINT field ({@code partition}, {@code offset}, {@code timestamp}) of the target's
     * RECORD_METADATA, parsed per row: only for rows loaded before the native coordinate columns existed.
     */
    protected abstract String recordMetadataField(String field);

    /** The column type of a native Kafka coordinate column. */
    protected String kafkaCoordinateType(SqlIdentifier column) {
        return column.equals(MetadataColumns.KAFKA_TIMESTAMP) ? "TIMESTAMP" : "BIGINT";
    }

    /** The type a metadata column ({@link MetadataColumns#ALL}) has in the target table. */
    public String metadataTypeName(SqlIdentifier column) {
        if (column.equals(MetadataColumns.RECORD_METADATA)) {
            return typeName(ColumnType.VARIANT);
        }
        if (column.equals(MetadataColumns.DELETED)) {
            return typeName(ColumnType.BOOLEAN);
        }
        if (column.equals(MetadataColumns.LOADED_AT)) {
            return "TIMESTAMP";
        }
        return kafkaCoordinateType(column);
    }

    /**
     * The statements that change a column to a wider type in place (BIGINT to DECIMAL), keeping every
     * value. Default: one {@code ALTER COLUMN … SET DATA TYPE}, which PostgreSQL and DuckDB run as one
     * atomic (transactional) change.
     */
    public List<String> widenColumn(Column widened) {
        return List.of("ALTER TABLE " + targetTable + " ALTER COLUMN " + widened.name().quoted() + " SET DATA TYPE "
                + typeName(widened.type()));
    }

    /** Most columns a table may have in this dialect, metadata columns included. */
    public int maxColumns() {
        return dev.orderpipeline.schema.SchemaLimits.DEFAULT_MAX_COLUMNS;
    }

    /** Longest column name this dialect keeps as given. */
    public int maxIdentifierLength() {
        return dev.orderpipeline.schema.SchemaLimits.DEFAULT_MAX_NAME_LENGTH;
    }

    /** DDL for the per-session staging table. */
    public abstract String createStagingTable(List<Column> columns);

    /** The staging table's name as the loader's statements address it. */
    protected String stagingTable() {
        return STAGING_TABLE.quoted();
    }

    // ---- statements shared by every dialect

    public String targetTable() {
        return targetTable;
    }

    public String createOffsetsTable() {
        return "CREATE TABLE IF NOT EXISTS " + offsetsTable + " (\"PIPELINE\" VARCHAR NOT NULL, \"TOPIC\" VARCHAR NOT NULL, "
                + "\"PARTITION\" INTEGER NOT NULL, \"NEXT_OFFSET\" BIGINT NOT NULL, \"UPDATED_AT\" TIMESTAMP, "
                + "PRIMARY KEY (\"PIPELINE\", \"TOPIC\", \"PARTITION\"))";
    }

    public String createTargetTable() {
        return "CREATE TABLE IF NOT EXISTS " + targetTable + " ("
                + Stream.concat(Stream.of(MetadataColumns.RECORD_METADATA, MetadataColumns.DELETED, MetadataColumns.LOADED_AT),
                                MetadataColumns.KAFKA_COORDINATES.stream())
                        .map(c -> c.quoted() + " " + metadataTypeName(c)).collect(Collectors.joining(", "))
                + ")";
    }

    /**
     * For a table created before the native Kafka coordinate columns existed (those not in
     * {@code present}): its older rows keep NULL there (their coordinates stay in RECORD_METADATA).
     */
    public List<String> addKafkaCoordinateColumns(java.util.Set<SqlIdentifier> present) {
        return MetadataColumns.KAFKA_COORDINATES.stream()
                .filter(c -> !present.contains(c))
                .map(c -> "ALTER TABLE " + targetTable + " ADD COLUMN IF NOT EXISTS " + c.quoted() + " " + kafkaCoordinateType(c))
                .toList();
    }

    /**
     * Whether any row still has its Kafka coordinates only in RECORD_METADATA (loaded before the native
     * columns existed). Filters on the native column first, so the JSON is parsed only for such rows.
     */
    public String legacyCoordinatesRemain() {
        return "SELECT 1 FROM " + targetTable + " WHERE " + MetadataColumns.KAFKA_OFFSET.quoted() + " IS NULL AND "
                + recordMetadataField("offset") + " IS NOT NULL LIMIT 1";
    }

    /**
     * Copies the coordinates of rows loaded before the native columns existed from RECORD_METADATA into
     * them, once, in one statement. It changes no row's version (the same partition and offset, now
     * readable natively) and no data, so it is safe beside loaders and a replicator: the replicator reads
     * legacy rows through RECORD_METADATA until none remain (see CDC.md, "Native coordinates").
     */
    public String backfillKafkaCoordinates() {
        return "UPDATE " + targetTable + " SET " + MetadataColumns.KAFKA_PARTITION.quoted() + " = "
                + recordMetadataField("partition") + ", " + MetadataColumns.KAFKA_OFFSET.quoted() + " = "
                + recordMetadataField("offset") + ", " + MetadataColumns.KAFKA_TIMESTAMP.quoted() + " = "
                + timestampFromEpochMillis("NULLIF(" + recordMetadataField("timestamp") + ", -1)") + " WHERE "
                + MetadataColumns.KAFKA_OFFSET.quoted() + " IS NULL AND " + recordMetadataField("offset") + " IS NOT NULL";
    }

    /** A query whose result metadata lists the target's columns. */
    public String describeTarget() {
        return "SELECT * FROM " + targetTable + " LIMIT 0";
    }

    public String addColumn(Column column) {
        return "ALTER TABLE " + targetTable + " ADD COLUMN IF NOT EXISTS " + column.name().quoted() + " "
                + typeName(column.type());
    }

    /** Binds: pipeline, topic. Returns partition, next offset. */
    public String selectOffsets() {
        return "SELECT \"PARTITION\", \"NEXT_OFFSET\" FROM " + offsetsTable + " WHERE \"PIPELINE\" = ? AND \"TOPIC\" = ?";
    }

    /** Binds: pipeline, topic, partition. Creates the partition's row at -1 unless it exists. */
    public String claimPartition() {
        return "MERGE INTO " + offsetsTable + " AS o USING (SELECT CAST(? AS VARCHAR) AS \"PIPELINE\", CAST(? AS VARCHAR) AS \"TOPIC\", CAST(? AS INTEGER) AS \"PARTITION\") AS c "
                + "ON o.\"PIPELINE\" = c.\"PIPELINE\" AND o.\"TOPIC\" = c.\"TOPIC\" AND o.\"PARTITION\" = c.\"PARTITION\" "
                + "WHEN NOT MATCHED THEN INSERT (\"PIPELINE\", \"TOPIC\", \"PARTITION\", \"NEXT_OFFSET\") "
                + "VALUES (c.\"PIPELINE\", c.\"TOPIC\", c.\"PARTITION\", -1)";
    }

    /** Binds: next offset, pipeline, topic, partition, expected offset. Updates one row or none (fenced). */
    public String advanceOffset() {
        return "UPDATE " + offsetsTable + " SET \"NEXT_OFFSET\" = ?, \"UPDATED_AT\" = "
                + currentTimestampUtc()
                + " WHERE \"PIPELINE\" = ? AND \"TOPIC\" = ? AND \"PARTITION\" = ? AND \"NEXT_OFFSET\" = ?";
    }

    /** Empties the staging table for the next batch, inside the batch's transaction. */
    public String clearStaging(List<Column> columns) {
        return "DELETE FROM " + stagingTable();
    }

    /**
     * Binds one value per staged column: the data columns, RECORD_METADATA, _DELETED, then the Kafka
     * partition, offset and timestamp (epoch milliseconds, NULL when the record has none).
     */
    public String insertStaging(List<Column> columns) {
        String names = stagedColumnNames(columns);
        String marks = String.join(", ", java.util.Collections.nCopies(columns.size() + STAGED_METADATA_COLUMNS, "?"));
        return "INSERT INTO " + stagingTable() + " (" + names + ") VALUES (" + marks + ")";
    }

    public String appendFromStaging(List<Column> columns) {
        return "INSERT INTO " + targetTable + " (" + targetColumnNames(columns) + ") " + stagedRows(columns);
    }

    /**
     * Upsert: the staged rows (one per key) update or insert; a staged tombstone only flags the row
     * deleted and keeps its last values; a tombstone for an unknown key inserts nothing. Every value
     * is converted in the USING subquery, so the clauses only copy columns.
     */
    public String mergeFromStaging(List<Column> columns, List<SqlIdentifier> keys) {
        String on = keysMatch(keys);
        // A tombstone moves the row's Kafka coordinates too: the replicator sees the delete by its offset.
        String metadata = Stream.concat(Stream.of(MetadataColumns.RECORD_METADATA, MetadataColumns.LOADED_AT),
                        MetadataColumns.KAFKA_COORDINATES.stream())
                .map(c -> c.quoted() + " = s." + c.quoted()).collect(Collectors.joining(", "));
        String setValues = columns.stream()
                .filter(c -> !keys.contains(c.name()))
                .map(c -> c.name().quoted() + " = s." + c.name().quoted() + ", ")
                .collect(Collectors.joining());
        String deleted = MetadataColumns.DELETED.quoted();
        return "MERGE INTO " + targetTable + " AS t USING (" + stagedRows(columns) + ") AS s ON " + on
                + " WHEN MATCHED AND s." + deleted + " THEN UPDATE SET " + deleted + " = s." + deleted + ", " + metadata
                + " WHEN MATCHED THEN UPDATE SET " + setValues + deleted + " = s." + deleted + ", " + metadata
                + " WHEN NOT MATCHED AND NOT s." + deleted + " THEN INSERT (" + targetColumnNames(columns) + ") VALUES ("
                + columns.stream().map(c -> "s." + c.name().quoted() + ", ").collect(Collectors.joining())
                + "s." + MetadataColumns.RECORD_METADATA.quoted() + ", s." + deleted + ", s."
                + MetadataColumns.LOADED_AT.quoted()
                + MetadataColumns.KAFKA_COORDINATES.stream().map(c -> ", s." + c.quoted()).collect(Collectors.joining())
                + ")";
    }

    /** The join of target {@code t} and staged {@code s} rows on the key columns. */
    protected static String keysMatch(List<SqlIdentifier> keys) {
        return keys.stream().map(k -> "t." + k.quoted() + " = s." + k.quoted()).collect(Collectors.joining(" AND "));
    }

    /**
     * The statements that move the staged rows into the target in upsert mode, in order, inside the batch's
     * transaction. By default the one {@link #mergeFromStaging}; a dialect with a faster spelling for a table
     * whose key is known to be unique overrides {@link #upsertFromStaging(List, List, boolean, boolean)}.
     *
     * @param keyIsUnique the target has a unique index on exactly the key columns
     * @param tombstones some staged row is a tombstone
     */
    public List<String> upsertFromStaging(List<Column> columns, List<SqlIdentifier> keys, boolean keyIsUnique, boolean tombstones) {
        return List.of(mergeFromStaging(columns, keys));
    }

    /**
     * The staged rows with target types: every column of the target, in its order. {@code _LOADED_AT}
     * is the warehouse's clock when this statement runs, the last one before COMMIT, so a row is
     * visible at most one statement's duration (bounded by the statement timeout) after its stamp.
     */
    protected String stagedRows(List<Column> columns) {
        String timestamp = MetadataColumns.KAFKA_TIMESTAMP.quoted();
        return "SELECT "
                + columns.stream().map(c -> fromStaged(c) + " AS " + c.name().quoted() + ", ").collect(Collectors.joining())
                + variantFromText(MetadataColumns.RECORD_METADATA.quoted()) + " AS " + MetadataColumns.RECORD_METADATA.quoted()
                + ", " + MetadataColumns.DELETED.quoted() + ", " + currentTimestampUtc() + " AS "
                + MetadataColumns.LOADED_AT.quoted() + ", " + MetadataColumns.KAFKA_PARTITION.quoted() + ", "
                + MetadataColumns.KAFKA_OFFSET.quoted() + ", " + timestampFromEpochMillis(timestamp) + " AS " + timestamp
                + " FROM " + stagingTable();
    }

    /** How many columns the staging table has after the data columns. */
    public static final int STAGED_METADATA_COLUMNS = 5;

    protected String stagedColumnNames(List<Column> columns) {
        return columns.stream().map(c -> c.name().quoted() + ", ").collect(Collectors.joining())
                + MetadataColumns.RECORD_METADATA.quoted() + ", " + MetadataColumns.DELETED.quoted()
                + MetadataColumns.KAFKA_COORDINATES.stream().map(c -> ", " + c.quoted()).collect(Collectors.joining());
    }

    /** The staging table's columns after the data columns, with their types ({@code text} is the dialect's text type). */
    protected String stagedMetadataColumns(String text) {
        return MetadataColumns.RECORD_METADATA.quoted() + " " + text + ", " + MetadataColumns.DELETED.quoted() + " BOOLEAN, "
                + MetadataColumns.KAFKA_PARTITION.quoted() + " BIGINT, " + MetadataColumns.KAFKA_OFFSET.quoted() + " BIGINT, "
                + MetadataColumns.KAFKA_TIMESTAMP.quoted() + " BIGINT";
    }

    protected String targetColumnNames(List<Column> columns) {
        return columns.stream().map(c -> c.name().quoted() + ", ").collect(Collectors.joining())
                + MetadataColumns.RECORD_METADATA.quoted() + ", " + MetadataColumns.DELETED.quoted() + ", "
                + MetadataColumns.LOADED_AT.quoted()
                + MetadataColumns.KAFKA_COORDINATES.stream().map(c -> ", " + c.quoted()).collect(Collectors.joining());
    }

    /** A staged column as the target's type (the dialect overrides this when it stages some types as text). */
    protected String fromStaged(Column column) {
        String ref = column.name().quoted();
        if (column.type().isTemporal()) {
            return temporalFromStaged(column.type(), ref);
        }
        return column.type() == ColumnType.VARIANT ? variantFromText(ref) : ref;
    }
}
