package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbWarehouseTest {
    @TempDir
    Path dir;

    static final List<Column> COLUMNS = List.of(new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT));

    /** The key and a column of every other type. */
    static final List<Column> EVERY_TYPE = List.of(COLUMNS.get(0),
            new Column(SqlIdentifier.of("AMOUNT"), ColumnType.DECIMAL),
            new Column(SqlIdentifier.of("RATIO"), ColumnType.DOUBLE),
            new Column(SqlIdentifier.of("PAID"), ColumnType.BOOLEAN),
            new Column(SqlIdentifier.of("NOTE"), ColumnType.VARCHAR),
            new Column(SqlIdentifier.of("PLACED_AT"), ColumnType.TIMESTAMP),
            new Column(SqlIdentifier.of("LOCAL_AT"), ColumnType.TIMESTAMP_LOCAL),
            new Column(SqlIdentifier.of("DAY"), ColumnType.DATE),
            new Column(SqlIdentifier.of("AT"), ColumnType.TIME));

    static Row row(long id, long offset) {
        return new Row(new Object[] {id}, false, "{\"partition\":0,\"offset\":" + offset + "}", 0, offset);
    }

    static Batch batch(long expected, long next, long... ids) {
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            rows.add(row(ids[i], expected + i));
        }
        return new Batch("p", "orders", COLUMNS, List.of(), rows, Map.of(0, new OffsetAdvance(expected, next)), 0L);
    }

    /** A warehouse on the test table, opened, with partition 0 of "orders" claimed for pipeline "p". */
    static DuckDbWarehouse openedOnPartitionZero(Path db) throws java.sql.SQLException {
        DuckDbWarehouse w = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"));
        w.open();
        w.storedOffsets("p", "orders", List.of(0));
        return w;
    }

    @Test
    void aLoaderWhoseOffsetWasMovedByAnotherIsFencedAndItsRowsRollBack() throws Exception {
        Path db = dir.resolve("w.duckdb");
        try (DuckDbWarehouse current = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"));
             DuckDbWarehouse zombie = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"))) {
            current.open();
            zombie.open();
            // Both read the partition at the same point, as after a rebalance the zombie missed.
            assertEquals(Map.of(0, -1L), current.storedOffsets("p", "orders", List.of(0)));
            assertEquals(Map.of(0, -1L), zombie.storedOffsets("p", "orders", List.of(0)));
            current.write(batch(-1, 3, 1, 2, 3));
            assertThrows(FencedException.class, () -> zombie.write(batch(-1, 2, 1, 2)));
            assertEquals(Map.of(0, 3L), zombie.storedOffsets("p", "orders", List.of(0)));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\") FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(3, rs.getLong(1));
            assertEquals(3, rs.getLong(2));
        }
    }

    @Test
    void theLoaderCheckpointsBetweenBatchesOnceItsWalPassesTheThresholdWithOneVacuumTaskAndDuckDbsOwnIsABackstopAt1GiB() throws Exception {
        Path db = dir.resolve("w.duckdb");
        Path wal = dir.resolve("w.duckdb.wal");
        try (DuckDbWarehouse w = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"), new DuckDbSql.CheckpointThresholds(4096, 4096))) {
            w.open();
            w.storedOffsets("p", "orders", List.of(0));
            w.write(batch(-1, 3, 1, 2, 3));
            long written = Files.size(wal);
            assertTrue(written > 0 && written < 4096, "a small commit stays in the WAL: " + written);
            assertFalse(w.tidyDue(), "no checkpoint is due below the threshold");
            w.tidy();
            assertEquals(written, Files.size(wal), "below the threshold nothing is checkpointed");

            w.write(batch(3, 3003, LongStream.range(100, 3100).toArray()));
            assertTrue(Files.size(wal) >= 4096);
            assertTrue(w.tidyDue(), "past the threshold a checkpoint is due");
            w.tidy();
            assertTrue(!Files.exists(wal) || Files.size(wal) == 0,
                    "the checkpoint emptied the WAL");
            assertFalse(w.tidyDue(), "after the checkpoint none is due");
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_setting('checkpoint_threshold'), (SELECT count(*) FROM \"main\".\"ORDERS\"), current_setting('max_vacuum_tasks')")) {
                rs.next();
                assertEquals("1.0 GiB", rs.getString(1));
                assertEquals(3003, rs.getLong(2));
                assertEquals(1, rs.getLong(3), "a checkpoint vacuums in small steps");
            }
        }
    }

    @Test
    void aWalOfNewRowsOnlyGrowsToTheLargerThresholdAndOneHoldingReplacedRowsIsCheckpointedAtTheSmaller() throws Exception {
        Path wal = dir.resolve("w.duckdb.wal");
        try (DuckDbWarehouse w = new DuckDbWarehouse(dir.resolve("w.duckdb").toString(), SqlIdentifier.of("main"),
                SqlIdentifier.of("ORDERS"), new DuckDbSql.CheckpointThresholds(64L << 20, 4096))) {
            w.open();
            w.storedOffsets("p", "orders", List.of(0));
            w.write(upsertBatch(-1, 3000, LongStream.range(0, 3000).toArray()));
            long appended = Files.size(wal);
            assertTrue(appended >= 4096, "past the smaller threshold: " + appended);
            assertFalse(w.tidyDue(), "new rows alone are not due at the smaller threshold");
            w.tidy();
            assertEquals(appended, Files.size(wal), "new rows alone wait for the larger threshold");

            w.write(upsertBatch(3000, 3001, 7)); // replaces the row of key 7
            assertTrue(w.tidyDue(), "a replaced row makes the smaller threshold count");
            w.tidy();
            assertTrue(!Files.exists(wal) || Files.size(wal) == 0,
                    "a WAL holding a replaced row is checkpointed at the smaller threshold");

            w.write(upsertBatch(3001, 6001, LongStream.range(10_000, 13_000).toArray()));
            w.tidy();
            assertTrue(Files.size(wal) >= 4096,
                    "after the checkpoint, new rows alone wait for the larger threshold again");
        }
    }

    /**
     * Why the loader checkpoints as soon as a commit has passed the threshold, with no pause for readers first:
     * since DuckDB 1.5 a checkpoint no longer stops them (the replicator shares the file). Updated rows fill the WAL
     * so that the checkpoint takes half a second or more; reads run back to back all through it, and none may wait
     * for it (DuckDB 1.4 held one for most of the checkpoint).
     */
    @Test
    void aReaderOfTheTableGoesOnWhileTheLoaderCheckpoints() throws Exception {
        Path db = dir.resolve("w.duckdb");
        Path wal = dir.resolve("w.duckdb.wal");
        try (DuckDbWarehouse w = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"),
                new DuckDbSql.CheckpointThresholds(4096, 4096));
             Connection reader = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = reader.createStatement()) {
            w.open();
            w.storedOffsets("p", "orders", List.of(0));
            w.write(batch(-1, 3, 1, 2, 3));
            s.execute("INSERT INTO \"main\".\"ORDERS\" (\"ORDERID\", \"RECORD_METADATA\") "
                    + "SELECT i, md5(i::VARCHAR) FROM range(10, 3000010) r(i)");
            s.execute("CHECKPOINT"); // a large insert goes straight to the file; its updates go to the WAL
            s.execute("UPDATE \"main\".\"ORDERS\" SET \"RECORD_METADATA\" = md5(\"RECORD_METADATA\")");
            assertTrue(w.tidyDue(), "the WAL holds the updates");

            CompletableFuture<Long> checkpointNanos = CompletableFuture.supplyAsync(() -> {
                long started = System.nanoTime();
                try {
                    w.tidy();
                } catch (java.sql.SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
                return System.nanoTime() - started;
            });
            long slowestReadNanos = 0;
            int reads = 0;
            while (!checkpointNanos.isDone()) {
                long started = System.nanoTime();
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"main\".\"ORDERS\"")) {
                    rs.next();
                    assertEquals(3_000_003, rs.getLong(1));
                }
                slowestReadNanos = Math.max(slowestReadNanos, System.nanoTime() - started);
                reads++;
            }
            long checkpointTook = checkpointNanos.get(60, TimeUnit.SECONDS);
            assertTrue(!Files.exists(wal) || Files.size(wal) == 0, "the checkpoint emptied the WAL");
            assertTrue(reads > 1, "reads ran through the checkpoint: " + reads);
            assertTrue(slowestReadNanos < checkpointTook / 4, "of " + reads + " reads during a checkpoint of "
                    + checkpointTook / 1_000_000 + " ms, one waited " + slowestReadNanos / 1_000_000 + " ms for it");
        }
    }

    /** An upsert batch on ORDERID of partition 0's records {@code expected} to {@code next - 1}. */
    static Batch upsertBatch(long expected, long next, long... ids) {
        Batch plain = batch(expected, next, ids);
        return new Batch(plain.pipeline(), plain.topic(), plain.columns(), List.of(SqlIdentifier.of("ORDERID")),
                plain.rows(), plain.offsets(), plain.committedAtMillis());
    }

    /**
     * DuckDB sizes a table for its join planning by every row it ever held, deleted or not, and never reclaims a
     * TEMP table's deleted rows: a staging table emptied by DELETE grew in the optimizer's eyes by a batch per
     * commit until the MERGE built its hash table over the whole target instead of over the batch. The table of the
     * batch's keys is made anew for every batch for the same reason.
     */
    @Test
    void theOptimizerSeesOnlyTheCurrentBatchInStagingHoweverManyBatchesCameBefore() throws Exception {
        Path db = dir.resolve("w.duckdb");
        try (DuckDbWarehouse w = openedOnPartitionZero(db)) {
            for (int b = 0; b < 5; b++) {
                w.write(upsertBatch(b * 200L - (b == 0 ? 1 : 0), (b + 1) * 200L,
                        LongStream.range(b * 200L, (b + 1) * 200L).toArray()));
            }
            // The upsert's DELETE joins the target with the batch's keys (its rows go straight into the table).
            String keys = new DuckDbSql(SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS")).keysTable().name();
            try (Statement s = w.connection().createStatement();
                 ResultSet rs = s.executeQuery("SELECT estimated_size FROM duckdb_tables() WHERE temporary AND table_name = '"
                         + keys + "'")) {
                assertTrue(rs.next(), "the keys table is the session's TEMP table");
                assertEquals(200, rs.getLong(1), "DuckDB's estimate of the keys table: the last batch alone");
            }
            try (Statement s = w.connection().createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM \"main\".\"ORDERS\"")) {
                rs.next();
                assertEquals(1000, rs.getLong(1));
            }
        }
    }

    /**
     * The replicator skips row groups by their Kafka offset range; a row updated in place would widen its old row
     * group's range to the newest offsets, so every new version goes to the end of the table.
     */
    @Test
    void anUpdateOrATombstoneAppendsTheRowsNewVersionAndATombstoneKeepsTheLastValues() throws Exception {
        Path db = dir.resolve("w.duckdb");
        List<Column> columns = List.of(COLUMNS.get(0), new Column(SqlIdentifier.of("STATUS"), ColumnType.VARCHAR));
        List<SqlIdentifier> key = List.of(SqlIdentifier.of("ORDERID"));
        try (DuckDbWarehouse w = openedOnPartitionZero(db)) {
            w.write(new Batch("p", "orders", columns, key, List.of(
                    new Row(new Object[] {1L, "placed"}, false, "{\"offset\":0}", 0, 0),
                    new Row(new Object[] {2L, "placed"}, false, "{\"offset\":1}", 0, 1),
                    new Row(new Object[] {3L, "placed"}, false, "{\"offset\":2}", 0, 2)),
                    Map.of(0, new OffsetAdvance(-1, 3)), 0L));
            w.write(new Batch("p", "orders", columns, key, List.of(
                    new Row(new Object[] {1L, "shipped"}, false, "{\"offset\":3}", 0, 3),
                    new Row(new Object[] {2L, null}, true, "{\"offset\":4}", 0, 4),
                    new Row(new Object[] {9L, null}, true, "{\"offset\":5}", 0, 5)),
                    Map.of(0, new OffsetAdvance(3, 6)), 0L));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"ORDERID\", \"STATUS\", \"_DELETED\", \"_KAFKA_OFFSET\" FROM \"main\".\"ORDERS\" ORDER BY rowid")) {
            List<String> rows = new java.util.ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getBoolean(3) + " @" + rs.getLong(4));
            }
            // In table order: the untouched row first, then the new versions; nothing for the unknown key 9.
            assertEquals(List.of("3 placed false @2", "1 shipped false @3", "2 placed true @4"), rows);
        }
    }

    /** The last values come back from DuckDB as text, more than one statement's worth, and are cast back exactly. */
    @Test
    void aTombstoneKeepsTheLastValueOfEveryTypeExactlyHoweverManyTheBatchHolds() throws Exception {
        Path db = dir.resolve("w.duckdb");
        List<Column> columns = EVERY_TYPE;
        List<SqlIdentifier> key = List.of(SqlIdentifier.of("ORDERID"));
        int n = DuckDbSql.TOMBSTONED_ROWS_PER_STATEMENT + 5;
        List<Row> placed = new java.util.ArrayList<>();
        List<Row> tombstones = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            placed.add(new Row(new Object[] {(long) i, new java.math.BigDecimal("12345678901234567890.12345678" + i % 10),
                    i / 3.0, i % 2 == 0, i % 7 == 0 ? null : "it's #" + i,
                    java.time.Instant.parse("2026-12-03T07:00:00Z").plusNanos(i * 1_001_000L),
                    LocalDateTime.parse("2026-12-03T07:00:00.000001").plusSeconds(i),
                    java.time.LocalDate.parse("2024-02-29").plusDays(i), java.time.LocalTime.parse("23:59:59.999999").minusSeconds(i)},
                    false, "{\"offset\":" + i + "}", 0, i));
            Object[] keyOnly = new Object[columns.size()];
            keyOnly[0] = (long) i;
            tombstones.add(new Row(keyOnly, true, "{\"offset\":" + (n + i) + "}", 0, n + i));
        }
        String values = "SELECT CAST(COLUMNS(* EXCLUDE (RECORD_METADATA, _DELETED, _LOADED_AT, _KAFKA_PARTITION, _KAFKA_OFFSET, "
                + "_KAFKA_TIMESTAMP)) AS VARCHAR) FROM \"main\".\"ORDERS\" ORDER BY \"ORDERID\"";
        List<List<String>> before;
        try (DuckDbWarehouse w = openedOnPartitionZero(db)) {
            w.write(new Batch("p", "orders", columns, key, placed, Map.of(0, new OffsetAdvance(-1, n)), 0L));
            before = rows(db, values);
            w.write(new Batch("p", "orders", columns, key, tombstones, Map.of(0, new OffsetAdvance(n, 2L * n)), 0L));
        }
        assertEquals(before, rows(db, values));
        assertEquals(List.of(List.of(String.valueOf(n), String.valueOf(n))), rows(db,
                "SELECT count(*) FILTER (\"_DELETED\"), count(*) FILTER (\"_KAFKA_OFFSET\" >= " + n + ") FROM \"main\".\"ORDERS\""));
    }

    /**
     * Rows go straight into the table through the Appender, unless the table has a column the loader does not write
     * (here one a user added, with a default): then they are staged and inserted by SQL, and the user's column gets
     * its default. Either way every value reads the same, and a batch's rows, tombstones included, share one
     * {@code _LOADED_AT}.
     */
    @Test
    void everyValueReadsTheSameWhetherItsRowWentStraightIntoTheTableOrThroughStaging() throws Exception {
        Path db = dir.resolve("w.duckdb");
        List<Column> columns = EVERY_TYPE;
        List<SqlIdentifier> key = List.of(SqlIdentifier.of("ORDERID"));
        List<Row> placed = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boolean nulls = i == 5;
            placed.add(new Row(new Object[] {(long) i, nulls ? null : new java.math.BigDecimal("-12345678901234567890.123456789012345678"),
                    nulls ? null : i / 3.0, nulls ? null : i % 2 == 0, nulls ? null : "naïve ✓ 'quoted' #" + i,
                    nulls ? null : java.time.Instant.parse("1969-07-20T20:17:40.000001Z").plusSeconds(i),
                    nulls ? null : LocalDateTime.parse("2026-12-03T07:00:00.000001"),
                    nulls ? null : java.time.LocalDate.parse("2024-02-29"), nulls ? null : java.time.LocalTime.parse("23:59:59.999999")},
                    false, i % 2 == 0 ? new StampedMetadata("{\"k\":\"ü\"}", 1_700_000_000_123L + i) : RecordMetadata.ofJson("{}"), 0, i));
        }
        Object[] tombstoneKey = new Object[columns.size()];
        tombstoneKey[0] = 1L;
        List<Row> changed = List.of(new Row(placed.get(2).values().clone(), false, "{\"again\":true}", 0, 6),
                new Row(tombstoneKey, true, "{\"gone\":true}", 0, 7));
        for (String table : List.of("STRAIGHT_IN", "STAGED")) {
            try (DuckDbWarehouse w = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of(table))) {
                w.open();
                w.storedOffsets(table, "orders", List.of(0));
                if (table.equals("STAGED")) {
                    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
                        s.execute("ALTER TABLE \"main\".\"STAGED\" ADD COLUMN \"ADDED_BY_A_USER\" VARCHAR DEFAULT 'kept'");
                    }
                }
                w.write(new Batch(table, "orders", columns, key, placed, Map.of(0, new OffsetAdvance(-1, 6)), 0L));
                w.write(new Batch(table, "orders", columns, key, changed, Map.of(0, new OffsetAdvance(6, 8)), 0L));
            }
        }
        String values = "SELECT CAST(COLUMNS(* EXCLUDE (_LOADED_AT)) AS VARCHAR) FROM \"main\".\"%s\" ORDER BY \"_KAFKA_OFFSET\"";
        List<List<String>> straightIn = rows(db, values.formatted("STRAIGHT_IN"));
        assertEquals(6, straightIn.size(), "four rows untouched, one updated, one tombstoned: " + straightIn);
        assertEquals(straightIn, rows(db, "SELECT CAST(COLUMNS(* EXCLUDE (_LOADED_AT, ADDED_BY_A_USER)) AS VARCHAR) "
                + "FROM \"main\".\"STAGED\" ORDER BY \"_KAFKA_OFFSET\""));
        assertEquals(List.of(List.of("6")), rows(db, "SELECT count(*) FROM \"main\".\"STAGED\" WHERE \"ADDED_BY_A_USER\" = 'kept'"),
                "the user's column took its default: those rows were inserted by SQL");
        assertEquals(List.of(List.of("2", "1")), rows(db, "SELECT count(DISTINCT \"_LOADED_AT\"), count(DISTINCT \"_LOADED_AT\") "
                + "FILTER (\"_KAFKA_OFFSET\" >= 6) FROM \"main\".\"STRAIGHT_IN\""), "one clock a batch, the tombstone's too");
    }

    @Test
    void rowsThatCannotGoStraightInAreStagedWithTheColumnOrConstraintThatSaysWhy() throws Exception {
        Path db = dir.resolve("why.duckdb");
        try (DuckDbWarehouse w = openedOnPartitionZero(db)) {
            w.write(batch(-1, 1, 7L));
        }
        DuckDbRowAppender rowAppender = new DuckDbRowAppender(new DuckDbSql(SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS")));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            assertTrue(rowAppender.writePath(c, COLUMNS) instanceof DuckDbRowAppender.StraightIn);

            s.execute("ALTER TABLE \"ORDERS\" ADD COLUMN \"COMMENT\" VARCHAR DEFAULT 'none'");
            assertEquals(new DuckDbRowAppender.Staged("column \"COMMENT\" is not one the loader writes (an INSERT fills it with its default)"),
                    rowAppender.writePath(c, COLUMNS));
            s.execute("ALTER TABLE \"ORDERS\" DROP COLUMN \"COMMENT\"");

            s.execute("ALTER TABLE \"ORDERS\" ALTER COLUMN \"ORDERID\" SET DATA TYPE VARCHAR");
            assertEquals(new DuckDbRowAppender.Staged("column \"ORDERID\" is VARCHAR where the loader writes BIGINT"),
                    rowAppender.writePath(c, COLUMNS));
            s.execute("ALTER TABLE \"ORDERS\" ALTER COLUMN \"ORDERID\" SET DATA TYPE BIGINT");

            s.execute("ALTER TABLE \"ORDERS\" ALTER COLUMN \"ORDERID\" SET NOT NULL");
            DuckDbRowAppender.WritePath constrained = rowAppender.writePath(c, COLUMNS);
            assertTrue(constrained instanceof DuckDbRowAppender.Staged staged && staged.reason().contains("constraint"),
                    constrained.toString());
        }
    }

    private static List<List<String>> rows(Path db, String query) throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            List<List<String>> rows = new java.util.ArrayList<>();
            while (rs.next()) {
                List<String> row = new java.util.ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    @Test
    void aNewColumnIsAddedToAnExistingTableAndOldRowsReadNull() throws Exception {
        Path db = dir.resolve("w.duckdb");
        try (DuckDbWarehouse w = openedOnPartitionZero(db)) {
            w.write(batch(-1, 1, 1));
            List<Column> wider = List.of(COLUMNS.get(0), new Column(SqlIdentifier.of("CHANNEL"), ColumnType.VARCHAR));
            w.write(new Batch("p", "orders", wider, List.of(),
                    List.of(new Row(new Object[] {2L, "web"}, false, "{}", 0, 1)), Map.of(0, new OffsetAdvance(1, 2)), 0L));
        }
        try (DuckDbWarehouse reopened = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"))) {
            assertEquals(List.of(COLUMNS.get(0), new Column(SqlIdentifier.of("CHANNEL"), ColumnType.VARCHAR)), reopened.open());
        }
    }

    @Test
    void recordMetadataIsStoredAsItsExactTextOutsideAsciiToo() throws Exception {
        Path db = dir.resolve("w.duckdb");
        String ascii = "{\"partition\":0,\"offset\":0,\"key\":\"Item_1\"}";
        String unicode = "{\"partition\":0,\"offset\":1,\"headers\":{\"source\":\"datagen ✓ café\"}}";
        try (DuckDbWarehouse w = openedOnPartitionZero(db)) {
            w.write(new Batch("p", "orders", COLUMNS, List.of(), List.of(new Row(new Object[] {1L}, false, ascii, 0, 0),
                    new Row(new Object[] {2L}, false, unicode, 0, 1)), Map.of(0, new OffsetAdvance(-1, 2)), 0L));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"RECORD_METADATA\" FROM \"main\".\"ORDERS\" ORDER BY \"ORDERID\"")) {
            assertTrue(rs.next());
            assertEquals(ascii, rs.getString(1));
            assertTrue(rs.next());
            assertEquals(unicode, rs.getString(1));
        }
    }

    @Test
    void rowsCarryTheirKafkaCoordinatesAsNativeColumnsAndTheWarehouseClockAsLoadedAt() throws Exception {
        Path db = dir.resolve("w.duckdb");
        RecordMetadata stamped = new StampedMetadata("{}", 1_700_000_000_123L);
        try (DuckDbWarehouse w = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"))) {
            w.open();
            w.storedOffsets("p", "orders", List.of(3));
            w.write(new Batch("p", "orders", COLUMNS, List.of(), List.of(new Row(new Object[] {1L}, false, stamped, 3, 7),
                    new Row(new Object[] {2L}, false, "{}", 3, 8)), Map.of(3, new OffsetAdvance(-1, 9)), 0L));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"_KAFKA_PARTITION\", \"_KAFKA_OFFSET\", \"_KAFKA_TIMESTAMP\", \"_LOADED_AT\" "
                     + "FROM \"main\".\"ORDERS\" ORDER BY \"ORDERID\"")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
            assertEquals(7, rs.getLong(2));
            assertEquals(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_000_000), rs.getObject(3, LocalDateTime.class));
            PostgresWarehouseTest.assertLoadedJustNow(rs.getObject(4, LocalDateTime.class));
            rs.next();
            assertEquals(8, rs.getLong(2));
            assertNull(rs.getObject(3));
        }
    }

    @Test
    void aTableFromBeforeTheNativeCoordinateColumnsGetsThemOnOpen() throws Exception {
        Path db = dir.resolve("w.duckdb");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"main\".\"ORDERS\" (\"RECORD_METADATA\" VARCHAR, \"_DELETED\" BOOLEAN, "
                    + "\"_LOADED_AT\" TIMESTAMP, \"ORDERID\" BIGINT)");
        }
        try (DuckDbWarehouse w = new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"))) {
            assertEquals(COLUMNS, w.open());
            w.storedOffsets("p", "orders", List.of(0));
            w.write(batch(-1, 1, 1));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"_KAFKA_OFFSET\" FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(-1, rs.getLong(1));
        }
    }
}
