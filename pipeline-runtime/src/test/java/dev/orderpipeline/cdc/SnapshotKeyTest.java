package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.RuntimeChild;
import dev.orderpipeline.verify.OrderState;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot into a new table copies its pages into a table without key and adds the primary key in the
 * transaction that ends the snapshot (PostgresTarget.ensureColumns says why). What must hold: the key is
 * there once the snapshot is over, whatever happened during it; a replicator killed mid-snapshot resumes
 * from its stored key without losing or duplicating a row; the incremental phase upserts on that key.
 */
class SnapshotKeyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATE = "\"public\".\"orderpipeline_cdc_state\"";

    @TempDir
    Path dir;

    @Test
    void aSnapshotIntoANewTableEndsWithItsPrimaryKeyAndTheIncrementalPhaseUpsertsOnIt() throws Exception {
        Path db = dir.resolve("new-table.duckdb");
        OrderChanges changes = new OrderChanges(31);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 5; i++) {
                changes.writeBatch(w, 400);
            }
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            CdcHarness.pageSize(env, 300);
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
                CdcHarness.await("incremental phase", Duration.ofSeconds(60), () -> "Incremental".equals(cdc.status().phase()));
                assertEquals("orderid", primaryKey(pg), "the snapshot ends with the key on the key column");
                long existing = changes.live().keySet().iterator().next();
                SQLException duplicate = assertThrows(SQLException.class, () -> {
                    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                        s.execute("INSERT INTO " + CdcHarness.PG_TABLE + " (orderid) VALUES (" + existing + ")");
                    }
                });
                assertEquals("23505", duplicate.getSQLState(), "the table refuses a second row of a key: " + duplicate);
                // Updates and deletes of rows the snapshot copied: ON CONFLICT (orderid) needs the key.
                for (int i = 0; i < 3; i++) {
                    changes.writeBatch(w, 300, java.util.List.of(), 0.5, 0.2);
                }
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
            }
        }
    }

    @Test
    void aReplicatorKilledMidSnapshotResumesFromItsStoredKeyWithoutLosingOrDuplicatingARow() throws Exception {
        Path db = dir.resolve("killed.duckdb");
        OrderChanges changes = new OrderChanges(32);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 40; i++) {
                changes.writeBatch(w, 500);
            }
        }
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            CdcHarness.pageSize(env, 100);
            long lastAfterKey = 0;
            for (int life = 0; life < 3; life++) {
                try (RuntimeChild cdc = RuntimeChild.start(dir, env, "cdc")) {
                    awaitSnapshotPage(cdc, "life " + life);
                    cdc.kill();
                }
                Map<Long, OrderState> live = changes.live();
                try (Connection c = pg.connect()) {
                    JsonNode state = JSON.readTree(CdcHarness.pgValue(pg, "SELECT json_build_object('phase', phase, "
                            + "'after', snapshot_after_key) FROM " + STATE));
                    assertEquals("SNAPSHOT", state.path("phase").asText(), "killed mid-snapshot (life " + life + ")");
                    long afterKey = state.path("after").get(0).asLong();
                    assertTrue(afterKey > lastAfterKey, "each life went on from the key the last one stored");
                    lastAfterKey = afterKey;
                    assertNull(primaryKey(pg), "no key while the snapshot fills the table");
                    Map<Long, OrderState> copied = OrderChanges.postgresLive(c, CdcHarness.PG_TABLE);
                    Map<Long, OrderState> expected = new java.util.HashMap<>(live);
                    expected.keySet().removeIf(k -> k > afterKey);
                    assertEquals(expected, copied, "exactly the live rows up to the stored key, once each (life " + life + ")");
                    assertEquals(CdcHarness.pgValue(pg, "SELECT count(DISTINCT orderid) FROM " + CdcHarness.PG_TABLE),
                            CdcHarness.pgValue(pg, "SELECT count(*) FROM " + CdcHarness.PG_TABLE), "no key twice");
                }
            }
            // Changes while no replicator runs: below the stored key they come through the incremental phase,
            // above it through the rest of the snapshot.
            try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
                for (int i = 0; i < 3; i++) {
                    changes.writeBatch(w, 400, java.util.List.of(), 0.5, 0.2);
                }
            }
            try (RuntimeChild cdc = RuntimeChild.start(dir, env, "cdc")) {
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofMinutes(2));
                CdcHarness.await("incremental phase", Duration.ofMinutes(1), () -> "INCREMENTAL".equals(
                        CdcHarness.pgValue(pg, "SELECT phase FROM " + STATE)));
                assertEquals("orderid", primaryKey(pg), "the key is there once the snapshot is over");
                assertEquals(0, cdc.terminate(Duration.ofSeconds(60)), cdc.output());
            }
        }
    }

    @Test
    void aKeyTheSourceHoldsTwiceEndsAsItsNewestVersionUnderTheKey() throws Exception {
        Path db = dir.resolve("twice.duckdb");
        OrderChanges changes = new OrderChanges(33);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 400, java.util.List.of(), 0, 0);
        }
        long twice = changes.live().keySet().stream().sorted().toList().get(200);
        // The loader's table has no key in DuckDB: a second copy of one order, at an older version.
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + CdcHarness.DUCK_TABLE + " SELECT * REPLACE ('older copy' AS \"ITEMID\", -5 AS \"_KAFKA_OFFSET\") "
                    + "FROM " + CdcHarness.DUCK_TABLE + " WHERE \"ORDERID\" = " + twice);
        }
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            CdcHarness.pageSize(env, 5000); // one page: both copies in it
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.await("incremental phase", Duration.ofSeconds(60), () -> "Incremental".equals(cdc.status().phase()));
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(30));
                assertEquals("orderid", primaryKey(pg));
                assertEquals("1", CdcHarness.pgValue(pg, "SELECT count(*) FROM " + CdcHarness.PG_TABLE + " WHERE orderid = " + twice));
            }
        }
    }

    /** The primary key's columns of the target, comma-separated, or null without one. */
    private static String primaryKey(EmbeddedPostgres pg) {
        return CdcHarness.pgValue(pg, "SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_constraint k "
                + "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) "
                + "WHERE k.conrelid = '" + CdcHarness.PG_TABLE + "'::regclass AND k.contype = 'p'");
    }

    /** Waits until this life applied a snapshot page, so that the kill lands in the middle of the snapshot. */
    private static void awaitSnapshotPage(RuntimeChild cdc, String life) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            String body = cdc.get("/status");
            JsonNode status = body == null ? null : JSON.readTree(body);
            if (status != null && status.path("batchesApplied").asLong() > 0) {
                return;
            }
            assertTrue(cdc.isAlive(), life + ": the replicator exited:\n" + cdc.output());
            Thread.sleep(20);
        }
        throw new AssertionError(life + " applied no page within 3 minutes:\n" + cdc.output());
    }
}
