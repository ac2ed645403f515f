package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.cdc.replication.CdcStoppedException;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's columns change while a sync runs: a new column is added to the PostgreSQL table
 * (and filled from then on); a column whose type changed stops the sync with a message naming the
 * column, never a silent cast.
 */
class SchemaChangeTest {
    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = new EmbeddedPostgres(dir.resolve("pg")).start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    @Test
    void aColumnThatAppearsInTheSourceIsAddedToThePostgresTableWithItsValues() throws Exception {
        Path db = dir.resolve("add.duckdb");
        OrderChanges changes = new OrderChanges(41);
        Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
        env.put(Setting.CDC_NAME.envName(), "schema-add");
        env.put(Setting.POSTGRES_TABLE.envName(), "orders_add");
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 300);
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, "public.orders_add", changes.live(), Duration.ofMinutes(2));
                assertEquals(null, CdcHarness.pgValue(pg, "SELECT data_type FROM information_schema.columns "
                        + "WHERE table_name = 'orders_add' AND column_name = 'coupon'"));

                List<Column> extra = List.of(new Column(SqlIdentifier.of("COUPON"), ColumnType.VARCHAR),
                        new Column(SqlIdentifier.of("PRIORITY"), ColumnType.BIGINT));
                changes.writeBatch(w, 200, extra, 0.4, 0.05);
                CdcHarness.awaitPostgresEquals(pg, "public.orders_add", changes.live(), Duration.ofMinutes(2));
                assertEquals("text", CdcHarness.pgValue(pg, "SELECT data_type FROM information_schema.columns "
                        + "WHERE table_name = 'orders_add' AND column_name = 'coupon'"));
                assertEquals("bigint", CdcHarness.pgValue(pg, "SELECT data_type FROM information_schema.columns "
                        + "WHERE table_name = 'orders_add' AND column_name = 'priority'"));
                List<String> source;
                try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                    source = CdcHarness.rows(c, "SELECT \"ORDERID\", \"COUPON\", \"PRIORITY\" FROM " + CdcHarness.DUCK_TABLE
                            + " WHERE NOT \"_DELETED\"");
                }
                assertTrue(source.stream().anyMatch(r -> !r.endsWith("|null|null")), "some rows have the new columns");
                try (Connection c = pg.connect()) {
                    assertEquals(source, CdcHarness.rows(c, "SELECT orderid, coupon, priority FROM public.orders_add"));
                }
                assertEquals(null, cdc.failure.get());
            }
        }
    }

    @Test
    void anIntegerColumnTheLoaderWidensToAnExactDecimalIsWidenedInPostgresAndEveryValueReplicatesExactly() throws Exception {
        Path db = dir.resolve("widen.duckdb");
        OrderChanges changes = new OrderChanges(43);
        Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
        env.put(Setting.CDC_NAME.envName(), "schema-widen");
        env.put(Setting.POSTGRES_TABLE.envName(), "orders_widen");
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 200, List.of(new Column(SqlIdentifier.of("PRIORITY"), ColumnType.BIGINT)), 0.3, 0.05);
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, "public.orders_widen", changes.live(), Duration.ofMinutes(2));
                assertEquals("bigint", CdcHarness.pgValue(pg, "SELECT data_type FROM information_schema.columns "
                        + "WHERE table_name = 'orders_widen' AND column_name = 'priority'"));
                // A loader meets fractions in PRIORITY: the warehouse column becomes DECIMAL(38,18).
                changes.writeBatch(w, 200, List.of(new Column(SqlIdentifier.of("PRIORITY"), ColumnType.DECIMAL)), 0.4, 0.05);
                CdcHarness.awaitPostgresEquals(pg, "public.orders_widen", changes.live(), Duration.ofMinutes(2));
                CdcHarness.await("priority to be numeric in PostgreSQL", Duration.ofMinutes(1), () -> "numeric".equals(
                        CdcHarness.pgValue(pg, "SELECT data_type FROM information_schema.columns "
                                + "WHERE table_name = 'orders_widen' AND column_name = 'priority'")));
                List<String> source;
                try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                    source = exactRows(c, "SELECT \"ORDERID\", \"PRIORITY\" FROM " + CdcHarness.DUCK_TABLE
                            + " WHERE NOT \"_DELETED\"");
                }
                assertTrue(source.stream().anyMatch(r -> r.endsWith(".123456789012345678")), "some fractions: " + source);
                try (Connection c = pg.connect()) {
                    assertEquals(source, exactRows(c, "SELECT orderid, priority FROM public.orders_widen"));
                }
                assertEquals(null, cdc.failure.get());
            }
        }
    }

    /** id|value with the value as an exact decimal without trailing zeros, sorted. */
    private static List<String> exactRows(Connection c, String sql) throws Exception {
        List<String> rows = new java.util.ArrayList<>();
        try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                java.math.BigDecimal v = rs.getBigDecimal(2);
                rows.add(rs.getLong(1) + "|" + (v == null ? null : v.stripTrailingZeros().toPlainString()));
            }
        }
        java.util.Collections.sort(rows);
        return rows;
    }

    @Test
    void anIncompatibleTypeChangeStopsTheSyncWithAMessageNamingTheColumn() throws Exception {
        Path db = dir.resolve("types.duckdb");
        OrderChanges changes = new OrderChanges(42);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 300);
        }
        Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
        env.put(Setting.CDC_NAME.envName(), "schema-types");
        env.put(Setting.POSTGRES_TABLE.envName(), "orders_types");
        try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
            CdcHarness.awaitPostgresEquals(pg, "public.orders_types", changes.live(), Duration.ofMinutes(2));
            // ADDRESS_ZIPCODE becomes text in the warehouse (the table rebuilt, as a migration would),
            // and one row changes (a newer Kafka offset) so that the next read sees the new shape.
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("CREATE TABLE main.\"ORDERS_NEW\" AS SELECT * REPLACE (CAST(\"ADDRESS_ZIPCODE\" AS VARCHAR) "
                        + "AS \"ADDRESS_ZIPCODE\") FROM main.\"ORDERS\"");
                s.execute("DROP TABLE main.\"ORDERS\"");
                s.execute("ALTER TABLE main.\"ORDERS_NEW\" RENAME TO \"ORDERS\"");
                s.execute("UPDATE main.\"ORDERS\" SET \"ADDRESS_ZIPCODE\" = 'SW1A 1AA', \"_KAFKA_PARTITION\" = 0, \"_KAFKA_OFFSET\" = 1000000, \"RECORD_METADATA\" = "
                        + "'{\"topic\":\"orders\",\"partition\":0,\"offset\":1000000,\"timestamp\":0,\"key\":\"x\",\"headers\":{}}' "
                        + "WHERE \"ORDERID\" = (SELECT min(\"ORDERID\") FROM main.\"ORDERS\" WHERE \"ORDERID\" % 4 = 0 AND NOT \"_DELETED\")");
                c.commit();
            }
            CdcHarness.await("the sync to stop", Duration.ofMinutes(2), () -> cdc.failure.get() != null);
            Throwable stopped = cdc.failure.get();
            assertInstanceOf(CdcStoppedException.class, stopped);
            assertTrue(stopped.getMessage().contains("ADDRESS_ZIPCODE"), stopped.getMessage());
            assertEquals("Stalled", cdc.status().phase());
            assertTrue(cdc.status().stalled());
            assertTrue(cdc.status().lastError().contains("ADDRESS_ZIPCODE"), cdc.status().lastError());
            assertFalse(cdc.process.status().isReady());
            assertEquals("bigint", CdcHarness.pgValue(pg, "SELECT data_type FROM information_schema.columns "
                    + "WHERE table_name = 'orders_types' AND column_name = 'address_zipcode'"), "nothing was cast");
        }
    }
}
