package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.testing.LateCancelProxy;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.LockWaits;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The postgres dialect against a real PostgreSQL 17: the same transaction as every warehouse. */
class PostgresWarehouseTest {
    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;

    static final Column ORDERID = new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT);
    static final Column ITEM = new Column(SqlIdentifier.of("ITEMID"), ColumnType.VARCHAR);
    static final Column UNITS = new Column(SqlIdentifier.of("ORDERUNITS"), ColumnType.DOUBLE);
    static final Column TAGS = new Column(SqlIdentifier.of("TAGS"), ColumnType.VARIANT);
    static final List<Column> COLUMNS = List.of(ORDERID, ITEM, UNITS, TAGS);
    static final List<SqlIdentifier> KEYS = List.of(SqlIdentifier.of("ORDERID"));

    @BeforeAll
    static void start() {
        pg = new EmbeddedPostgres(dir.resolve("pg")).start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    static SinkConfig.Postgres sink(String table, String keys) {
        return sink(table, keys, pg.port());
    }

    static SinkConfig.Postgres sink(String table, String keys, int port) {
        Map<String, String> env = new HashMap<>(LoaderEnv.postgresTarget(pg, "unused"));
        env.put(Setting.POSTGRES_PORT.envName(), Integer.toString(port));
        env.put(Setting.SINK_TYPE.envName(), "postgres");
        env.put(Setting.SINK_TABLE.envName(), table);
        env.put(Setting.SINK_KEY_FIELDS.envName(), keys);
        return (SinkConfig.Postgres) SinkConfig.from(new Environment(env));
    }

    static Row row(long id, String item, double units, long offset) {
        return new Row(new Object[] {id, item, units, "[\"a\",\"b\\tc\"]"}, false,
                "{\"partition\":0,\"offset\":" + offset + "}", 0, offset);
    }

    static Row tombstone(long id, long offset) {
        return new Row(new Object[] {id}, true, "{\"partition\":0,\"offset\":" + offset + "}", 0, offset);
    }

    /** Each test is its own pipeline, so that their offsets do not meet in ORDERPIPELINE_OFFSETS. */
    String pipeline = "p";

    Batch batch(List<SqlIdentifier> keys, long expected, long next, Row... rows) {
        return new Batch(pipeline, "orders", COLUMNS, keys, List.of(rows), Map.of(0, new OffsetAdvance(expected, next)), 1_700_000_000_000L);
    }

    /** ORDERID → ITEMID|ORDERUNITS|_DELETED|offset, read back from PostgreSQL. */
    static Map<Long, String> rows(String table) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"ORDERID\", \"ITEMID\", \"ORDERUNITS\", \"_DELETED\", \"RECORD_METADATA\"->>'offset', "
                        + "\"TAGS\"->>1, \"_LOADED_AT\" FROM \"" + table + "\"")) {
            while (rs.next()) {
                assertEquals("b\tc", rs.getString(6));
                assertLoadedJustNow(rs.getObject(7, LocalDateTime.class));
                rows.merge(rs.getLong(1), rs.getString(2) + "|" + rs.getDouble(3) + "|" + rs.getBoolean(4) + "|"
                        + rs.getString(5), (a, b) -> a + ";" + b);
            }
        }
        return rows;
    }

    /** _LOADED_AT is the warehouse's clock in UTC at the write, not the time the batch was built (2023 here). */
    static void assertLoadedJustNow(LocalDateTime loadedAt) {
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
        assertTrue(!loadedAt.isAfter(now.plusSeconds(5)) && loadedAt.isAfter(now.minusMinutes(5)),
                "_LOADED_AT " + loadedAt + " is not the write's time (now " + now + " UTC)");
    }

    @Test
    void everyRowCarriesItsKafkaPartitionOffsetAndTimestampAsNativeColumns() throws Exception {
        RecordMetadata stamped = new StampedMetadata("{\"partition\":2,\"offset\":41}", 1_700_000_000_123L);
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "COORDINATES", ""), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(2));
            w.write(new Batch(pipeline, "orders", COLUMNS, List.of(), List.of(
                    new Row(new Object[] {1L, "Item_1", 1.0, "[]"}, false, stamped, 2, 41),
                    new Row(new Object[] {2L, "Item_2", 2.0, "[]"}, false, "{}", 2, 42)),
                    Map.of(2, new OffsetAdvance(-1, 43)), 0L));
        }
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"_KAFKA_PARTITION\", \"_KAFKA_OFFSET\", \"_KAFKA_TIMESTAMP\", \"_LOADED_AT\" "
                        + "FROM \"COORDINATES\" ORDER BY \"ORDERID\"")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(1));
            assertEquals(41, rs.getLong(2));
            assertEquals(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_000_000), rs.getObject(3, LocalDateTime.class));
            assertLoadedJustNow(rs.getObject(4, LocalDateTime.class));
            assertTrue(rs.next());
            assertEquals(42, rs.getLong(2));
            assertNull(rs.getObject(3), "a record without a timestamp has none");
        }
    }

    @Test
    void aNulCharacterInTextIsRefusedAsADataErrorNamingTheColumnAndNothingIsWritten() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "NUL", ""), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            SQLDataException refused = assertThrows(SQLDataException.class,
                    () -> w.write(batch(List.of(), -1, 2, row(1, "Item_1", 1.0, 0), row(2, "bad\u0000item", 2.0, 1))));
            assertEquals("22P05", refused.getSQLState());
            assertTrue(refused.getMessage().contains("ITEMID") && refused.getMessage().contains("U+0000"), refused.getMessage());
            assertEquals(Map.of(0, -1L), w.storedOffsets(pipeline, "orders", List.of(0)));
            w.write(batch(List.of(), -1, 1, row(1, "Item_1", 1.0, 0)));
        }
        assertEquals(Map.of(1L, "Item_1|1.0|false|0"), rows("NUL"));
    }

    @Test
    void aKafkaTimestampPastPostgresRangeIsRefusedAsADataErrorAndNothingIsWritten() throws Exception {
        RecordMetadata farFuture = new StampedMetadata("{}", Long.MAX_VALUE / 10);
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "FAR_FUTURE", ""), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            SQLException refused = assertThrows(SQLException.class, () -> w.write(new Batch(pipeline, "orders", COLUMNS,
                    List.of(), List.of(new Row(new Object[] {1L, "Item_1", 1.0, "[]"}, false, farFuture, 0, 0)),
                    Map.of(0, new OffsetAdvance(-1, 1)), 0L)));
            assertEquals("22008", refused.getSQLState(), "a data error (class 22): the row is isolated, not retried");
            assertEquals(Map.of(0, -1L), w.storedOffsets(pipeline, "orders", List.of(0)));
        }
    }

    @Test
    void aWriteWaitingOnALockFailsAtTheStatementTimeoutInsteadOfHangingAndWritesNothing() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "TIMED_OUT", ""), pipeline, Duration.ofSeconds(1))) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            try (Connection lock = pg.connect(); Statement s = lock.createStatement()) {
                lock.setAutoCommit(false);
                s.execute("LOCK TABLE \"TIMED_OUT\" IN EXCLUSIVE MODE");
                SQLException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(SQLException.class,
                        () -> w.write(batch(List.of(), -1, 1, row(1, "Item_1", 1.0, 0)))));
                assertEquals("57014", e.getSQLState(), "query_canceled by the timeout: " + e.getMessage());
                lock.rollback();
            }
            w.reset();
            w.write(batch(List.of(), -1, 1, row(1, "Item_1", 1.0, 0))); // the offset did not move: nothing was written
        }
        assertEquals(Map.of(1L, "Item_1|1.0|false|0"), rows("TIMED_OUT"));
    }

    @Test
    void aBeginCancelledByACancelRequestTheNetworkHeldBackNeverCommitsTheOffsetsWithoutTheirRows() throws Exception {
        try (LateCancelProxy proxy = new LateCancelProxy(pg.port());
             Warehouse w = Warehouses.forSink(sink(pipeline = "LATE_CANCEL", "", proxy.port()), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            w.write(batch(List.of(), -1, 1, row(1, "Item_1", 1.0, 0)));

            proxy.cancelNextBegin();
            Batch next = batch(List.of(), 1, 3, row(2, "Item_2", 2.0, 1), row(3, "Item_3", 3.0, 2));
            assertThrows(SQLException.class, () -> w.write(next));
            assertTrue(proxy.cancelDelivered());
            assertEquals(1, storedOffset(pipeline), "the offset stands where the rows do");
            assertEquals(Map.of(1L, "Item_1|1.0|false|0"), rows("LATE_CANCEL"));

            w.reset();
            w.write(next); // not fenced: nothing of the failed attempt committed
        }
        assertEquals(3, storedOffset(pipeline));
        assertEquals(Map.of(1L, "Item_1|1.0|false|0", 2L, "Item_2|2.0|false|1", 3L, "Item_3|3.0|false|2"), rows("LATE_CANCEL"));
    }

    /** Partition 0's stored offset, read on a session of its own. */
    static long storedOffset(String pipeline) throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"NEXT_OFFSET\" FROM \"ORDERPIPELINE_OFFSETS\" WHERE \"PIPELINE\" = '" + pipeline
                        + "' AND \"PARTITION\" = 0")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void upsertUpdatesByKeyAndATombstoneOnlyFlagsTheRowDeleted() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "UPSERTED", "orderid"), pipeline)) {
            w.open();
            assertEquals(Map.of(0, -1L), w.storedOffsets(pipeline, "orders", List.of(0)));
            w.write(batch(KEYS, -1, 3, row(1, "Item_1", 1.5, 0), row(2, "Item_2", 2.5, 1), row(3, "Item_3", 3.5, 2)));
            // 1 updated, 2 deleted (keeps its last values), 3 untouched, 4 new, 99 a tombstone for an unknown key.
            w.write(batch(KEYS, 3, 8, row(1, "Item_1b", 10.0, 3), tombstone(2, 4), row(4, "Item_4", 4.0, 5),
                    tombstone(99, 6)));
            assertEquals(Map.of(0, 8L), w.storedOffsets(pipeline, "orders", List.of(0)));
        }
        assertEquals(Map.of(
                1L, "Item_1b|10.0|false|3",
                2L, "Item_2|2.5|true|4",
                3L, "Item_3|3.5|false|2",
                4L, "Item_4|4.0|false|5"), rows("UPSERTED"));
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'UPSERTED_OPL_KEY'")) {
            assertTrue(rs.next(), "the upsert creates a unique index on the key");
            assertTrue(rs.getString(1).startsWith("CREATE UNIQUE INDEX"), rs.getString(1));
        }
    }

    @Test
    void anUpsertWhoseKeyIndexWasDroppedFallsBackToMergeAndCommitsOnce() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "INDEX_DROPPED", "orderid"), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            w.write(batch(KEYS, -1, 1, row(1, "Item_1", 1.0, 0)));
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("DROP INDEX \"INDEX_DROPPED_OPL_KEY\"");
            }
            // The loader believed the index was there (ON CONFLICT needs it): the batch must still commit, once.
            w.write(batch(KEYS, 1, 3, row(1, "Item_1b", 2.0, 1), row(2, "Item_2", 3.0, 2)));
            w.write(batch(KEYS, 3, 5, tombstone(1, 3), row(2, "Item_2b", 4.0, 4)));
            assertEquals(Map.of(0, 5L), w.storedOffsets(pipeline, "orders", List.of(0)));
        }
        assertEquals(Map.of(1L, "Item_1b|2.0|true|3", 2L, "Item_2b|4.0|false|4"), rows("INDEX_DROPPED"));
    }

    @Test
    void decimalAndTextValuesStagedAsTextArriveExactly() throws Exception {
        Column amount = new Column(SqlIdentifier.of("AMOUNT"), ColumnType.DECIMAL);
        List<Column> columns = List.of(ORDERID, amount, ITEM);
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "STAGED_TEXT", "orderid"), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            for (int i = 0; i < 2; i++) { // the first batch MERGEs, the second upserts with ON CONFLICT
                w.write(new Batch(pipeline, "orders", columns, KEYS, List.of(new Row(new Object[] {1L,
                        new BigDecimal("123456789012345678.123456789012345678"), "é\t\\N ✓ " + i}, false, "{}", 0, i)),
                        Map.of(0, new OffsetAdvance(i == 0 ? -1 : 1, i + 1)), 0L));
            }
        }
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"AMOUNT\"::text, \"ITEMID\" FROM \"STAGED_TEXT\"")) {
            assertTrue(rs.next());
            assertEquals("123456789012345678.123456789012345678", rs.getString(1));
            assertEquals("é\t\\N ✓ 1", rs.getString(2));
        }
    }

    /**
     * A new key goes straight into the table by COPY, in each column's binary format; a key the table holds goes
     * through staging and a cast from text. Both must leave the same value, for every type the loader writes.
     */
    @Test
    void everyTypeArrivesTheSameWhetherItsKeyIsNewOrAlreadyInTheTable() throws Exception {
        List<Column> columns = List.of(ORDERID,
                new Column(SqlIdentifier.of("AMOUNT"), ColumnType.DECIMAL),
                new Column(SqlIdentifier.of("AT"), ColumnType.TIMESTAMP),
                new Column(SqlIdentifier.of("LOCAL_AT"), ColumnType.TIMESTAMP_LOCAL),
                new Column(SqlIdentifier.of("ON_DAY"), ColumnType.DATE),
                new Column(SqlIdentifier.of("AT_TIME"), ColumnType.TIME),
                new Column(SqlIdentifier.of("PAID"), ColumnType.BOOLEAN),
                UNITS, ITEM, TAGS);
        LongFunction<Object[]> values = id -> new Object[] {id,
                new BigDecimal("-98765432109876543.123456789012345678"),
                Instant.parse("2024-02-29T23:59:59.123456Z"),
                LocalDateTime.parse("1999-12-31T23:59:59.999999"),
                LocalDate.parse("1970-01-01"),
                LocalTime.parse("00:00:00.000001"),
                true, -0.1, "é\t\\N ✓", "{\"k\": [1, 2.50, null]}"};
        RecordMetadata stamped = new StampedMetadata("{\"partition\":0}", 1_700_000_000_123L);
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "EVERY_TYPE", "orderid"), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            // The first commit MERGEs from staging (no key index yet); then key 1 is held (staged, ON CONFLICT)
            // and key 2 is new (straight in).
            w.write(new Batch(pipeline, "orders", columns, KEYS, List.of(new Row(values.apply(1), false, stamped, 0, 0)),
                    Map.of(0, new OffsetAdvance(-1, 1)), 0L));
            w.write(new Batch(pipeline, "orders", columns, KEYS, List.of(new Row(values.apply(1), false, stamped, 0, 1),
                    new Row(values.apply(2), false, stamped, 0, 2)), Map.of(0, new OffsetAdvance(1, 3)), 0L));
        }
        List<String> rows = new ArrayList<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            ResultSet rs = s.executeQuery("SELECT CAST(ROW(\"AMOUNT\", \"AT\", \"LOCAL_AT\", \"ON_DAY\", \"AT_TIME\", \"PAID\", "
                        + "\"ORDERUNITS\", \"ITEMID\", \"TAGS\", \"RECORD_METADATA\", \"_DELETED\", \"_KAFKA_TIMESTAMP\") AS TEXT) "
                    + "FROM \"EVERY_TYPE\" ORDER BY \"ORDERID\"");
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        assertEquals(2, rows.size());
        assertEquals(rows.get(0), rows.get(1), "the staged and the copied row differ");
        assertEquals("(-98765432109876543.123456789012345678,\"2024-02-29 23:59:59.123456+00\",\"1999-12-31 23:59:59.999999\","
                + "1970-01-01,00:00:00.000001,t,-0.1,\"é\t\\\\N ✓\",\"{\"\"k\"\": [1, 2.50, null]}\",\"{\"\"partition\"\": 0}\",f,"
                + "\"2023-11-14 22:13:20.123\")", rows.get(0));
    }

    /**
     * Rows whose keys the table does not hold go straight into it; only the others are staged for the upsert. A
     * key of a text and a number column looks up both kinds of value (a text array and a bigint array).
     */
    @Test
    void onlyRowsWhoseKeysTheTableAlreadyHoldsAreStaged() throws Exception {
        List<SqlIdentifier> keys = List.of(SqlIdentifier.of("ITEMID"), SqlIdentifier.of("ORDERID"));
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "HELD_KEYS", "itemid,orderid"), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            w.write(batch(keys, -1, 1, row(1, "Item_1", 1.0, 0))); // creates the key index
            w.write(batch(keys, 1, 4, row(1, "Item_1", 2.0, 1), row(2, "Item_1", 3.0, 2), row(1, "Item_2", 4.0, 3)));
            List<String> staged = new ArrayList<>();
            try (Statement s = ((PostgresWarehouse) w).connection().createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT \"ITEMID\" || '/' || \"ORDERID\" FROM \"ORDERPIPELINE_STAGE\"")) {
                while (rs.next()) {
                    staged.add(rs.getString(1));
                }
            }
            assertEquals(List.of("Item_1/1"), staged, "only the held key is staged");
        }
        List<String> rows = new ArrayList<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"ITEMID\" || '/' || \"ORDERID\" || '=' || \"ORDERUNITS\" FROM \"HELD_KEYS\" ORDER BY 1")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        assertEquals(List.of("Item_1/1=2", "Item_1/2=3", "Item_2/1=4"), rows);
    }

    /**
     * Another writer commits a key after this batch looked it up and found it absent: the COPY that writes it
     * straight in meets the key index (23505). Not the data's fault: the batch is written again, as an update, once.
     */
    @Test
    void aKeyCommittedByAnotherWriterAfterTheLookupIsUpdatedNotRefused() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "RACED", "orderid"), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            w.write(batch(KEYS, -1, 1, row(1, "Item_1", 1.0, 0))); // creates the key index
            try (Connection other = pg.connect(); Statement s = other.createStatement()) {
                other.setAutoCommit(false);
                s.execute("INSERT INTO \"RACED\" (\"ORDERID\", \"ITEMID\") VALUES (2, 'other')");
                CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                    try {
                        w.write(batch(KEYS, 1, 2, row(2, "Item_2", 2.0, 1)));
                    } catch (SQLException e) {
                        throw new CompletionException(e);
                    }
                });
                LockWaits.awaitWaitingOnALock(pg, "orderpipeline:RACED", "the write never waited on the other transaction's key");
                other.commit();
                write.get(30, TimeUnit.SECONDS);
            }
            assertEquals(Map.of(0, 2L), w.storedOffsets(pipeline, "orders", List.of(0)));
        }
        assertEquals(Map.of(1L, "Item_1|1.0|false|0", 2L, "Item_2|2.0|false|1"), rows("RACED"));
    }

    @Test
    void recordMetadataOutsideAsciiArrivesExactly() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "METADATA_TEXT", ""), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            w.write(batch(List.of(), -1, 2, row(1, "Item_1", 1.0, 0), new Row(new Object[] {2L, "Item_2", 2.0, "[\"a\",\"b\\tc\"]"},
                    false, "{\"partition\":0,\"offset\":1,\"headers\":{\"source\":\"datagen ✓ café\"}}", 0, 1)));
        }
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"RECORD_METADATA\"->>'offset', \"RECORD_METADATA\"->'headers'->>'source' FROM \"METADATA_TEXT\" "
                        + "ORDER BY \"ORDERID\"")) {
            assertTrue(rs.next());
            assertEquals("0", rs.getString(1));
            assertTrue(rs.next());
            assertEquals("1", rs.getString(1));
            assertEquals("datagen ✓ café", rs.getString(2));
        }
    }

    @Test
    void appendModeKeepsEveryRecord() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "APPENDED", ""), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            w.write(batch(List.of(), -1, 2, row(1, "Item_1", 1.0, 0), row(1, "Item_1", 2.0, 1)));
            w.write(batch(List.of(), 2, 3, row(1, "Item_1", 3.0, 2)));
        }
        assertEquals(Map.of(1L, "Item_1|1.0|false|0;Item_1|2.0|false|1;Item_1|3.0|false|2"), rows("APPENDED"));
    }

    @Test
    void aLoaderWhoseOffsetWasMovedByAnotherIsFencedAndItsRowsRollBack() throws Exception {
        try (Warehouse current = Warehouses.forSink(sink(pipeline = "FENCED", "orderid"), pipeline);
             Warehouse zombie = Warehouses.forSink(sink(pipeline = "FENCED", "orderid"), pipeline)) {
            current.open();
            zombie.open();
            assertEquals(Map.of(0, -1L), current.storedOffsets(pipeline, "orders", List.of(0)));
            assertEquals(Map.of(0, -1L), zombie.storedOffsets(pipeline, "orders", List.of(0)));
            current.write(batch(KEYS, -1, 2, row(1, "Item_1", 1.0, 0), row(2, "Item_2", 2.0, 1)));
            assertThrows(FencedException.class, () -> zombie.write(batch(KEYS, -1, 1, row(7, "Zombie", 7.0, 0))));
            assertEquals(Map.of(0, 2L), zombie.storedOffsets(pipeline, "orders", List.of(0)));
            // The zombie's session still works after the rollback: it resumes from the stored offset.
            zombie.write(batch(KEYS, 2, 3, row(3, "Item_3", 3.0, 2)));
        }
        assertEquals(List.of(1L, 2L, 3L), new ArrayList<>(rows("FENCED").keySet()));
    }

    @Test
    void aNewColumnIsAddedAndAReopenedWarehouseReadsTheTypesBack() throws Exception {
        try (Warehouse w = Warehouses.forSink(sink(pipeline = "EVOLVED", ""), pipeline)) {
            w.open();
            w.storedOffsets(pipeline, "orders", List.of(0));
            w.write(new Batch(pipeline, "orders", List.of(ORDERID), List.of(), List.of(new Row(new Object[] {1L}, false, "{}", 0, 0)),
                    Map.of(0, new OffsetAdvance(-1, 1)), 0L));
            w.write(batch(List.of(), 1, 2, row(2, "Item_2", 2.0, 1)));
        }
        try (Warehouse reopened = Warehouses.forSink(sink(pipeline = "EVOLVED", ""), pipeline)) {
            assertEquals(COLUMNS, reopened.open());
        }
    }

    @Test
    void copyTextEscapesDelimitersAndNulls() {
        StringBuilder out = new StringBuilder();
        PostgresWarehouse.appendValue(out, "a\tb\nc\\d\re");
        out.append('|');
        PostgresWarehouse.appendValue(out, null);
        out.append('|');
        PostgresWarehouse.appendValue(out, 1e20);
        assertEquals("a\\tb\\nc\\\\d\\re|\\N|1.0E20", out.toString());
    }
}
