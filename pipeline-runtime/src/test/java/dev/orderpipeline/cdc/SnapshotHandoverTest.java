package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new sync on a table that already holds rows: it snapshots them page by page, then hands over to
 * incremental reads from the watermark it recorded before the snapshot started.
 */
class SnapshotHandoverTest {
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
    void aQuietSourceIsSnapshottedOnceAndLaterChangesAreAppliedExactlyOnce() throws Exception {
        Path db = dir.resolve("quiet.duckdb");
        OrderChanges changes = new OrderChanges(1);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 10; i++) {
                changes.writeBatch(w, 500);
            }
        }
        int live = changes.live().size();
        Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
        env.put(Setting.POSTGRES_TABLE.envName(), "orders");
        CdcHarness.pageSize(env, 700);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db);
             CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
            CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
            CdcHarness.await("incremental phase", Duration.ofSeconds(10), () -> "Incremental".equals(cdc.status().phase()));
            Thread.sleep(600);
            assertEquals(live, cdc.status().rowsUpserted(), "each live row is copied once by the snapshot, "
                    + "and the rows it copied are not applied again after the handover");
            assertTrue(cdc.status().batchesApplied() >= live / 700, "the snapshot went page by page");

            // Only updates and inserts now, so each event is exactly one upsert.
            long before = changes.events;
            changes.writeBatch(w, 300, java.util.List.of(), 0.5, 0.0);
            long written = changes.events - before;
            CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(30));
            Thread.sleep(600);
            assertEquals(live + written, cdc.status().rowsUpserted());
            assertEquals(0, cdc.status().rowsDeleted());
        }
    }

    @Test
    void aReplicatorThatFindsItsSyncsStateRowSaysInStatusThatItResumedFromIt() throws Exception {
        Path db = dir.resolve("resumed.duckdb");
        OrderChanges changes = new OrderChanges(5);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 400);
        }
        Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
        env.put(Setting.CDC_NAME.envName(), "resumed-sync");
        env.put(Setting.POSTGRES_TABLE.envName(), "resumed");
        String stoppedAt;
        try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
            CdcHarness.await("incremental phase", Duration.ofSeconds(60), () -> "Incremental".equals(cdc.status().phase()));
            assertNull(cdc.status().resumedFrom(), "a new sync resumes nothing");
            stoppedAt = cdc.status().watermark();
        }
        try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
            CdcHarness.await("incremental phase", Duration.ofSeconds(60), () -> "Incremental".equals(cdc.status().phase()));
            assertEquals(stoppedAt, cdc.status().resumedFrom(), "the watermark stored by the previous run");
            assertEquals(0, cdc.status().rowsUpserted(), "nothing copied again");
        }
    }

    @Test
    void changesMadeWhileTheSnapshotRunsAreNeitherLostNorAppliedTwice() throws Exception {
        Path db = dir.resolve("busy.duckdb");
        OrderChanges changes = new OrderChanges(2);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 20; i++) {
                changes.writeBatch(w, 500);
            }
        }
        Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
        env.put(Setting.CDC_NAME.envName(), "busy");
        env.put(Setting.POSTGRES_TABLE.envName(), "orders_busy");
        CdcHarness.pageSize(env, 300);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db);
             CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        changes.writeBatch(w, 100, java.util.List.of(), 0.4, 0.2);
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CdcHarness.await("the snapshot to start", Duration.ofSeconds(30), () -> cdc.status().batchesApplied() > 0);
            writer.get();
            try (Connection c = pg.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM public.orders_busy")) {
                rs.next();
            }
            CdcHarness.await("PostgreSQL to equal the warehouse", Duration.ofSeconds(60), () -> {
                try (Connection c = pg.connect()) {
                    return OrderChanges.postgresLive(c, "public.orders_busy").equals(changes.live());
                } catch (Exception e) {
                    return false;
                }
            });
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM " + CdcHarness.DUCK_TABLE + " WHERE NOT \"_DELETED\"")) {
                rs.next();
                assertEquals(changes.live().size(), rs.getLong(1));
            }
            assertTrue(cdc.failure.get() == null, String.valueOf(cdc.failure.get()));
        }
    }
}
