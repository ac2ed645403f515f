package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** DuckDB's spelling: semi-structured values stay JSON text; the staging table is a TEMP table. */
public final class DuckDbSql extends WarehouseSql {

    private final SqlIdentifier schema;
    private final SqlIdentifier table;

    public DuckDbSql(SqlIdentifier schema, SqlIdentifier table) {
        super(List.of(schema), table);
        this.schema = schema;
        this.table = table;
    }

    /** The target's schema, for DuckDB's Appender (which takes names, not SQL). */
    public SqlIdentifier schema() {
        return schema;
    }

    /** The target table's name, for DuckDB's Appender. */
    public SqlIdentifier table() {
        return table;
    }

    @Override
    public String typeName(ColumnType type) {
        return switch (type) {
            case BIGINT -> "BIGINT";
            case DECIMAL -> "DECIMAL(" + ColumnType.DECIMAL_PRECISION + "," + ColumnType.DECIMAL_SCALE + ")";
            case DOUBLE -> "DOUBLE";
            case BOOLEAN -> "BOOLEAN";
            case VARCHAR, VARIANT -> "VARCHAR";
            case TIMESTAMP -> "TIMESTAMPTZ";
            case TIMESTAMP_LOCAL -> "TIMESTAMP";
            case DATE -> "DATE";
            case TIME -> "TIME";
        };
    }

    @Override
    public ColumnType logicalType(String jdbcTypeName, int scale) {
        String t = jdbcTypeName.toUpperCase();
        if (t.equals("BIGINT") || t.equals("INTEGER") || t.equals("HUGEINT") || t.equals("SMALLINT")) {
            return ColumnType.BIGINT;
        }
        if (t.startsWith("DECIMAL")) {
            return ColumnType.DECIMAL;
        }
        if (t.equals("DOUBLE") || t.equals("FLOAT") || t.equals("REAL")) {
            return ColumnType.DOUBLE;
        }
        if (t.equals("BOOLEAN")) {
            return ColumnType.BOOLEAN;
        }
        if (t.equals("TIMESTAMP WITH TIME ZONE") || t.equals("TIMESTAMPTZ")) {
            return ColumnType.TIMESTAMP;
        }
        if (t.equals("TIMESTAMP") || t.equals("DATETIME") || t.equals("TIMESTAMP_US")) {
            return ColumnType.TIMESTAMP_LOCAL;
        }
        if (t.equals("DATE")) {
            return ColumnType.DATE;
        }
        if (t.equals("TIME")) {
            return ColumnType.TIME;
        }
        // TIMESTAMP_NS/_MS/_S, TIME WITH TIME ZONE and the rest: values converted as text, cast by DuckDB
        return ColumnType.VARCHAR;
    }

    /** How many constraints the target table has; binds its schema and table name. */
    public String countTargetConstraints() {
        return "SELECT count(*) FROM duckdb_constraints() WHERE lower(schema_name) = lower(?) AND lower(table_name) = lower(?)";
    }

    /** Whether a column DuckDB's JDBC metadata reports as {@code jdbcTypeName} has the type this class spells {@code typeName}. */
    public boolean sameType(String jdbcTypeName, String typeName) {
        return jdbcTypeName.equals(typeName)
                || typeName.equals("TIMESTAMPTZ") && jdbcTypeName.equals("TIMESTAMP WITH TIME ZONE");
    }

    @Override
    protected String variantFromText(String expression) {
        return expression;
    }

    @Override
    protected String recordMetadataField(String field) {
        return "CAST(json_extract_string(" + MetadataColumns.RECORD_METADATA.quoted() + ", '$." + field + "') AS BIGINT)";
    }

    @Override
    protected String timestampFromEpochMillis(String epochMillis) {
        return "epoch_ms(" + epochMillis + ")";
    }

    /** DuckDB's current_timestamp is the transaction's start, with time zone: taken as UTC without one. */
    @Override
    protected String currentTimestampUtc() {
        return "timezone('UTC', current_timestamp)";
    }

    /**
     * DuckDB checkpoints inside the commit whose WAL passes {@code checkpoint_threshold} (16 MB by default), and
     * each checkpoint rewrites the table's last, partly filled row group: with 50,000-row batches every other
     * commit paid for one. The loader checkpoints between batches instead ({@link CheckpointThresholds},
     * {@link DuckDbWarehouse#tidy}), so that no commit waits for one; the threshold stays as a backstop for a
     * checkpoint the loader could not run. Each checkpoint runs at most one vacuum task (a merge of row groups
     * whose deletions cross DuckDB's threshold; DuckDB's default is 100): with updates and tombstones the vacuum
     * otherwise came in lumps of up to 7 s that the next batch waited for, while one task a checkpoint kept the
     * longest at 1.9 s and reclaimed as many deleted rows ({@link CheckpointThresholds}). Runtime SETs,
     * not connection properties: a second connection to the same file (the replicator in the same process) then
     * opens it without a configuration conflict.
     */
    public List<String> tuneCheckpoints() {
        return List.of("SET GLOBAL checkpoint_threshold = '1GiB'", "SET GLOBAL max_vacuum_tasks = 1");
    }

    /**
     * How much WAL the loader lets grow before it checkpoints after a commit. A checkpoint stops every writer,
     * so the next batch waits for it, and its cost follows its work: compressing the rows written since the
     * last one, and vacuum, which only deleted rows (updates and tombstones) give it. Rarer checkpoints gather
     * that work into longer stops. With the production mix (13-15M rows) a checkpoint took 0.7-2.3 s every 36
     * batches at 128 MiB, 10.9 s once at 1 GiB, and one every 9 batches at 32 MiB 0.26-0.32 s without vacuum:
     * record to visible in PostgreSQL at 20,000 orders/s, p99 3.4 s at 32 MiB with one vacuum task against
     * 5.65 s at 128 MiB with DuckDB's 100 and 22.5 s at 128 MiB with one. With all orders new there is nothing
     * to vacuum, and four times as many, smaller checkpoints cost more than they save: p99 2.19 s at 32 MiB
     * against 1.76 s at 128 MiB (pipeline-tools/BENCH.md). On DuckDB 1.5.6, with the production mix, 16 MiB gave
     * the same p99 as 32 (1.55 s): twice as many checkpoints, each under half as long.
     *
     * @param appendsOnly the WAL size past which a WAL holding only new rows is checkpointed
     * @param withDeletions the WAL size past which a WAL holding a deleted row is checkpointed
     */
    public record CheckpointThresholds(long appendsOnly, long withDeletions) {
        public static final CheckpointThresholds DEFAULT = new CheckpointThresholds(128L << 20, 32L << 20);

        public long walBytes(boolean deletedSinceCheckpoint) {
            return deletedSinceCheckpoint ? withDeletions : appendsOnly;
        }
    }

    public String checkpoint() {
        return "CHECKPOINT";
    }

    /** A batch's tombstoned rows with their last values: kept by their DELETE, appended after the upsert's. */
    private static final SqlIdentifier TOMBSTONED = SqlIdentifier.of("ORDERPIPELINE_TOMBSTONED");

    /** How many rows one {@link #keepTombstoned} statement carries. */
    static final int TOMBSTONED_ROWS_PER_STATEMENT = 1_000;

    /**
     * Every new version of a row is appended and the old one deleted, instead of a MERGE that updates rows in
     * place. DuckDB updates a column in place by widening its row group's min/max to the new value, so with
     * updates scattered over the table every row group soon spanned the newest Kafka offsets and the
     * replicator's change query, which skips row groups by their offset range, read the whole table on every
     * cycle (1.2-1.4 s a page at 7M rows); an in-place update also cost about twice a delete and an append
     * (50,000 rows with 15,000 updates and 1,500 tombstones into 6.8M rows: MERGE 600 ms, these 280 ms;
     * pipeline-tools/BENCH.md). One row per key in a batch, so no key is deleted or inserted twice.
     * With {@code tombstones}, the tombstoned rows must already be deleted and their last values kept
     * ({@link #deleteTombstonedReturning}, {@link #keepTombstoned}): a tombstone keeps the row's values, as
     * the MERGE did.
     */
    @Override
    public List<String> upsertFromStaging(List<Column> columns, List<SqlIdentifier> keys, boolean keyIsUnique, boolean tombstones) {
        List<String> statements = new ArrayList<>();
        statements.add(deleteReplaced(keys));
        statements.addAll(insertUpserted(columns, keys, tombstones));
        return statements;
    }

    /** The upsert's first statement: deletes every row a staged key replaces; its update count says how many. */
    public String deleteReplaced(List<SqlIdentifier> keys) {
        return deleteMatching(stagingTable(), keys);
    }

    private String deleteMatching(String keySource, List<SqlIdentifier> keys) {
        return "DELETE FROM " + targetTable() + " AS t USING " + keySource + " AS s WHERE " + keysMatch(keys);
    }

    /** The batch's keys alone, when its rows go straight into the target: each replaces the row it names. */
    private static final SqlIdentifier KEYS = SqlIdentifier.of("ORDERPIPELINE_KEYS");

    /** A new table for the batch's keys, for the reason {@link #clearStaging} gives. */
    public String createKeysTable(List<Column> keyColumns) {
        return "CREATE OR REPLACE TEMP TABLE " + KEYS.quoted() + " ("
                + keyColumns.stream().map(c -> c.name().quoted() + " " + typeName(c.type())).collect(Collectors.joining(", ")) + ")";
    }

    /** The keys table's name, for the Appender that fills it. */
    public SqlIdentifier keysTable() {
        return KEYS;
    }

    /** {@link #deleteReplaced} for a batch whose keys are in {@link #createKeysTable} instead of the staging table. */
    public String deleteReplacedByKeys(List<SqlIdentifier> keys) {
        return deleteMatching(KEYS.quoted(), keys);
    }

    /** The upsert's statements after {@link #deleteReplaced}: append the staged rows, and the tombstoned ones. */
    public List<String> insertUpserted(List<Column> columns, List<SqlIdentifier> keys, boolean tombstones) {
        String added = insertInto(columns) + stagedRows(columns) + " WHERE NOT " + MetadataColumns.DELETED.quoted();
        return tombstones ? List.of(added, insertTombstoned(columns, keys)) : List.of(added);
    }

    /**
     * Appends the tombstoned rows: their last values ({@link #keepTombstoned}) with the tombstone's metadata, flagged
     * deleted.
     */
    public String insertTombstoned(List<Column> columns, List<SqlIdentifier> keys) {
        String deleted = MetadataColumns.DELETED.quoted();
        return insertInto(columns) + "SELECT "
                + columns.stream().map(c -> "t." + c.name().quoted() + ", ").collect(Collectors.joining())
                + "s." + MetadataColumns.RECORD_METADATA.quoted() + ", s." + deleted + ", s." + MetadataColumns.LOADED_AT.quoted()
                + MetadataColumns.KAFKA_COORDINATES.stream().map(c -> ", s." + c.quoted()).collect(Collectors.joining())
                + " FROM " + TOMBSTONED.quoted() + " AS t JOIN (" + stagedRows(columns) + " WHERE " + deleted + ") AS s ON "
                + keysMatch(keys);
    }

    private String insertInto(List<Column> columns) {
        return "INSERT INTO " + targetTable() + " (" + targetColumnNames(columns) + ") ";
    }

    /** An empty table for the tombstoned rows' last values, with the target's types. */
    public String createTombstoned(List<Column> columns) {
        return "CREATE OR REPLACE TEMP TABLE " + TOMBSTONED.quoted() + " AS SELECT "
                + columns.stream().map(c -> c.name().quoted()).collect(Collectors.joining(", "))
                + " FROM " + targetTable() + " LIMIT 0";
    }

    /**
     * Deletes the rows the batch's tombstones replace and returns their values as text. DuckDB has no DML in
     * a subquery, so the values come back through the client ({@link #keepTombstoned}). A DELETE finds its
     * rows by scanning the key column alone and fetches the returned values by row id; selecting them with
     * a join scanned every column of the table (600 tombstones in 13.7M rows: 0.65-0.95 s against 0.15 s for
     * this DELETE; pipeline-tools/BENCH.md). Text keeps every DuckDB value exactly and is cast back on insert.
     */
    public String deleteTombstonedReturning(List<Column> columns, List<SqlIdentifier> keys) {
        return "DELETE FROM " + targetTable() + " AS t USING (" + stagedRows(columns) + " WHERE "
                + MetadataColumns.DELETED.quoted() + ") AS s WHERE " + keysMatch(keys) + " RETURNING "
                + columns.stream().map(c -> "CAST(t." + c.name().quoted() + " AS VARCHAR)").collect(Collectors.joining(", "));
    }

    /** Keeps tombstoned rows' values, each a row of text or null per column, at most {@link #TOMBSTONED_ROWS_PER_STATEMENT}. */
    public String keepTombstoned(List<List<String>> rows) {
        return "INSERT INTO " + TOMBSTONED.quoted() + " VALUES "
                + rows.stream().map(r -> r.stream().map(DuckDbSql::literal).collect(Collectors.joining(", ", "(", ")")))
                        .collect(Collectors.joining(", "));
    }

    private static String literal(String text) {
        return text == null ? "NULL" : "'" + text.replace("'", "''") + "'";
    }

    /**
     * A new staging table for every batch, not a DELETE: DuckDB never reclaims a TEMP table's deleted rows,
     * and its optimizer takes their count for the table's size. After some hundred batches the staging table
     * looked larger than the target, and the upsert's join built its hash table over the whole target (a
     * 20,000-row MERGE into an 11M-row table went from 20 to 800 ms; 15-25 ms with the table recreated;
     * pipeline-tools/BENCH.md).
     */
    @Override
    public String clearStaging(List<Column> columns) {
        return createStagingTable(columns);
    }

    @Override
    public String createStagingTable(List<Column> columns) {
        return "CREATE OR REPLACE TEMP TABLE " + stagingTable() + " ("
                + columns.stream().map(c -> c.name().quoted() + " " + typeName(c.type()) + ", ")
                        .collect(Collectors.joining())
                + stagedMetadataColumns("VARCHAR") + ")";
    }
}
