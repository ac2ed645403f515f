package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.schema.ColumnType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnowflakeWarehouseTest {
    @TempDir
    static Path dir;
    static FakesnowServer fakesnow;

    @BeforeAll
    static void startFakesnow() {
        fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start();
    }

    @AfterAll
    static void stopFakesnow() {
        fakesnow.close();
    }

    static SinkConfig.Snowflake sink(String table, List<String> keys) {
        return new SinkConfig.Snowflake(fakesnow.jdbcUrl(), "fakesnow", "LOADER", Optional.of(SqlIdentifier.of("LOADER_ROLE")),
                Optional.of(SqlIdentifier.of("LOAD_WH")), SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"),
                SqlIdentifier.of(table), keys, SnowflakeKeyPair.pem("s3cret"), Optional.of("s3cret"));
    }

    static final List<Column> COLUMNS = List.of(
            new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT),
            new Column(SqlIdentifier.of("ORDERUNITS"), ColumnType.DOUBLE),
            new Column(SqlIdentifier.of("ITEMID"), ColumnType.VARCHAR),
            new Column(SqlIdentifier.of("TAGS"), ColumnType.VARIANT));

    static Row row(long id, double units, boolean deleted, int partition, long offset) {
        return new Row(new Object[] {id, units, "Item_" + id, "[\"a\"]"}, deleted,
                "{\"topic\":\"orders\",\"partition\":" + partition + ",\"offset\":" + offset + "}", partition, offset);
    }

    @Test
    void upsertsAndAdvancesOffsetsInOneTransactionThroughTheSnowflakeProtocol() throws Exception {
        try (SnowflakeWarehouse w = new SnowflakeWarehouse(sink("ORDERS_UPSERT", List.of("orderid")), "p1")) {
            assertEquals(List.of(), w.open());
            assertEquals(Map.of(0, -1L), w.storedOffsets("p1", "orders", List.of(0)));
            List<SqlIdentifier> keys = List.of(SqlIdentifier.of("ORDERID"));
            w.write(new Batch("p1", "orders", COLUMNS, keys, List.of(row(1, 1.5, false, 0, 0), row(2, 2.5, false, 0, 1)),
                    Map.of(0, new OffsetAdvance(-1, 2)), 1_700_000_000_000L));
            w.write(new Batch("p1", "orders", COLUMNS, keys, List.of(row(1, 9.0, false, 0, 2), row(2, 0, true, 0, 3)),
                    Map.of(0, new OffsetAdvance(2, 4)), 1_700_000_001_000L));
            assertEquals(Map.of(0, 4L), w.storedOffsets("p1", "orders", List.of(0)));
            try (Connection c = w.connection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT ORDERID, ORDERUNITS, _DELETED, RECORD_METADATA:offset::INT, _KAFKA_PARTITION, _KAFKA_OFFSET, "
                         + "_LOADED_AT FROM ANALYTICS.RAW.ORDERS_UPSERT ORDER BY ORDERID")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getLong(1));
                assertEquals(9.0, rs.getDouble(2));
                assertEquals(false, rs.getBoolean(3));
                assertEquals(2, rs.getInt(4));
                assertEquals(0, rs.getInt(5));
                assertEquals(2, rs.getLong(6));
                PostgresWarehouseTest.assertLoadedJustNow(rs.getTimestamp(7).toLocalDateTime());
                assertTrue(rs.next());
                assertEquals(2, rs.getLong(1));
                assertEquals(2.5, rs.getDouble(2));
                assertEquals(true, rs.getBoolean(3));
                assertEquals(3, rs.getLong(6), "a tombstone moves the row's Kafka offset");
            }
            // The same batch again, with the stale expected offset, is fenced and changes nothing.
            assertThrows(FencedException.class, () -> w.write(new Batch("p1", "orders", COLUMNS, keys,
                    List.of(row(3, 3.0, false, 0, 2)), Map.of(0, new OffsetAdvance(2, 4)), 1_700_000_002_000L)));
            try (Connection c = w.connection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM ANALYTICS.RAW.ORDERS_UPSERT")) {
                rs.next();
                assertEquals(2, rs.getLong(1));
            }
        }
    }
}
