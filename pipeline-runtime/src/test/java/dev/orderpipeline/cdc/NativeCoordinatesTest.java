package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderpipeline.cdc.source.PipelineRefSource;
import dev.orderpipeline.cdc.source.WarehouseDialect;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import dev.orderpipeline.warehouse.SnowflakeWarehouse;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipelineRef change query reads the native {@code _KAFKA_PARTITION}/{@code _KAFKA_OFFSET}
 * columns, as filters the warehouse pushes into its scan, and not RECORD_METADATA; rows loaded before
 * those columns existed are read through RECORD_METADATA until a loader backfills them.
 */
class NativeCoordinatesTest {
    @TempDir
    Path dir;

    @Test
    void theChangeQueryFiltersOnNativeColumnsInsideTheScanAndNeverParsesRecordMetadata() throws Exception {
        Path db = dir.resolve("native.duckdb");
        OrderChanges changes = new OrderChanges(7);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db); PipelineRefSource source = source(db)) {
            for (int i = 0; i < 3; i++) {
                changes.writeBatch(w, 400);
            }
            JsonNode caughtUp = source.changesSince(null, 100_000).watermark();
            changes.writeBatch(w, 300, List.of(), 0.5, 0.1);
            // The new batch's RECORD_METADATA loses its coordinates: only the native columns can find its rows.
            long newRows;
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
                newRows = s.executeUpdate("UPDATE " + CdcHarness.DUCK_TABLE + " SET \"RECORD_METADATA\" = '{}' WHERE "
                        + aboveWatermark(caughtUp));
            }
            assertTrue(newRows > 200, "the batch wrote rows past the watermark: " + newRows);
            assertTrue(source.nativeOnly(), "every row was written with native coordinates");

            ChangePage page = source.changesSince(caughtUp, 100_000);
            assertEquals(newRows, page.changes().size(), "every row past the watermark is found by its native columns");
            assertFalse(Watermarks.same(caughtUp, page.watermark()), "the watermark moved past the new rows");

            String plan = explain(db, source.changesQuery(caughtUp, 100_000));
            assertFalse(plan.toLowerCase().contains("json"), "RECORD_METADATA is not parsed:\n" + plan);
            assertTrue(Pattern.compile("Filters:[^╰]*_KAFKA_OFFSET\\s*>\\s*\\d+", Pattern.DOTALL).matcher(plan).find(),
                    "the offset bound is a filter inside the table scan (zone maps prune by it):\n" + plan);
        }
    }

    @Test
    void rowsLoadedBeforeTheNativeColumnsExistedAreReadThroughRecordMetadataUntilALoaderBackfillsThem() throws Exception {
        Path db = dir.resolve("legacy.duckdb");
        OrderChanges changes = new OrderChanges(8);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 4; i++) {
                changes.writeBatch(w, 400);
            }
        }
        Map<Long, String> versions;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            versions = OrderChanges.versions(c, "SELECT \"ORDERID\", \"_KAFKA_PARTITION\", \"_KAFKA_OFFSET\" FROM "
                    + CdcHarness.DUCK_TABLE);
            // As a table written before the native columns existed: they were added, NULL, to old rows.
            s.executeUpdate("UPDATE " + CdcHarness.DUCK_TABLE + " SET \"_KAFKA_PARTITION\" = NULL, \"_KAFKA_OFFSET\" = NULL, "
                    + "\"_KAFKA_TIMESTAMP\" = NULL WHERE \"ORDERID\" % 2 = 0");
        }
        try (PipelineRefSource source = source(db)) {
            assertFalse(source.nativeOnly(), "rows without native coordinates remain");
            assertEquals(versions, versionsOf(source.changesSince(null, 100_000)), "legacy rows are found by RECORD_METADATA");
            source.reset();
        }
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            w.open(); // the loader backfills when it opens the table
        }
        try (PipelineRefSource source = source(db)) {
            assertTrue(source.nativeOnly(), "the loader backfilled every row");
            assertEquals(versions, versionsOf(source.changesSince(null, 100_000)), "the backfill kept every version");
        }
    }

    @Test
    void onFakesnowTheLoaderBackfillsOldRowsAndTheSourceThenFindsChangesByNativeColumns() throws Exception {
        try (FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            SinkConfig.Snowflake sink = new SinkConfig.Snowflake(fakesnow.jdbcUrl(), "fakesnow", "LOADER", Optional.empty(),
                    Optional.empty(), SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"), SqlIdentifier.of("ORDERS"),
                    List.of("orderid"), SnowflakeKeyPair.pem(null), Optional.empty());
            OrderChanges changes = new OrderChanges(9).numbersInTombstones();
            try (SnowflakeWarehouse w = new SnowflakeWarehouse(sink, "cdc-test")) {
                changes.writeBatch(w, 30);
            }
            Map<Long, String> versions;
            try (Connection c = CdcHarness.fakesnowConnection(fakesnow); Statement s = c.createStatement()) {
                versions = OrderChanges.versions(c, "SELECT ORDERID, RECORD_METADATA:partition::BIGINT, "
                        + "RECORD_METADATA:offset::BIGINT FROM ANALYTICS.RAW.ORDERS");
                s.executeUpdate("UPDATE ANALYTICS.RAW.ORDERS SET _KAFKA_PARTITION = NULL, _KAFKA_OFFSET = NULL, "
                        + "_KAFKA_TIMESTAMP = NULL WHERE ORDERID % 2 = 0");
            }
            WarehouseDialect dialect = WarehouseDialect.of(sink, false, "native");
            List<SqlIdentifier> keys = List.of(SqlIdentifier.of("ORDERID"));
            try (PipelineRefSource source = new PipelineRefSource(dialect, SqlIdentifier.of("ORDERS"), keys)) {
                assertFalse(source.nativeOnly());
                assertEquals(versions, versionsOf(source.changesSince(null, 1000)));
            }
            try (SnowflakeWarehouse w = new SnowflakeWarehouse(sink, "cdc-test")) {
                w.open();
            }
            try (PipelineRefSource source = new PipelineRefSource(dialect, SqlIdentifier.of("ORDERS"), keys)) {
                assertTrue(source.nativeOnly(), "the loader backfilled every row");
                ChangePage all = source.changesSince(null, 1000);
                assertEquals(versions, versionsOf(all), "the backfill kept every version");
                try (SnowflakeWarehouse w = new SnowflakeWarehouse(sink, "cdc-test")) {
                    changes.writeBatch(w, 20, List.of(), 0.5, 0.0);
                }
                ChangePage next = source.changesSince(all.watermark(), 1000);
                assertTrue(next.changes().size() >= 15, "the new batch is found by its native columns: "
                        + next.changes().size());
                assertTrue(source.changesQuery(next.watermark(), 1000).contains("t.\"_KAFKA_OFFSET\" > "));
            }
        }
    }

    private static PipelineRefSource source(Path db) {
        SinkConfig.DuckDb sink = new SinkConfig.DuckDb(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"), List.of());
        return new PipelineRefSource(WarehouseDialect.of(sink, false, "native"), SqlIdentifier.of("ORDERS"),
                List.of(SqlIdentifier.of("ORDERID")));
    }

    private static String aboveWatermark(JsonNode watermark) {
        StringBuilder sql = new StringBuilder("FALSE");
        watermark.fields().forEachRemaining(e -> sql.append(" OR (\"_KAFKA_PARTITION\" = ").append(e.getKey())
                .append(" AND \"_KAFKA_OFFSET\" > ").append(e.getValue().asLong()).append(")"));
        return sql.toString();
    }

    /** orderid → "partition:offset" of every row of a page (deleted ones too). */
    private static Map<Long, String> versionsOf(ChangePage page) {
        int id = -1;
        int p = -1;
        int o = -1;
        for (int i = 0; i < page.columns().size(); i++) {
            switch (page.columns().get(i).name()) {
                case "orderid" -> id = i;
                case PipelineRefSource.PARTITION -> p = i;
                case PipelineRefSource.OFFSET -> o = i;
                default -> { }
            }
        }
        Map<Long, String> versions = new HashMap<>();
        for (Change c : page.changes()) {
            versions.put((Long) c.values()[id], c.values()[p] + ":" + c.values()[o]);
        }
        return versions;
    }

    private static String explain(Path db, String sql) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString(2)).append('\n');
            }
        }
        return plan.toString();
    }
}
