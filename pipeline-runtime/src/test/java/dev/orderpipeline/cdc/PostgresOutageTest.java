package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.LateCancelProxy;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away while changes keep arriving in the warehouse, and comes back with its data
 * (a server restart): the replicator retries with capped backoff, then resumes from the watermark
 * it had committed, so the target ends equal to the warehouse with every row at its latest version.
 * The same when a cancel request the network held back makes a transaction's BEGIN fail.
 */
class PostgresOutageTest {
    @TempDir
    Path dir;

    @Test
    void whenPostgresStopsAndRestartsMidRunTheReplicatorResumesWithNothingLostOrDoubled() throws Exception {
        Path db = dir.resolve("outage.duckdb");
        OrderChanges changes = new OrderChanges(31);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 500);
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            CdcHarness.pageSize(env, 150);
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                AtomicBoolean writing = new AtomicBoolean(true);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        while (writing.get()) {
                            changes.writeBatch(w, 100);
                            Thread.sleep(100);
                        }
                    } catch (SQLException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                try {
                    CdcHarness.await("a first page applied", Duration.ofMinutes(2), () -> cdc.status().batchesApplied() > 0);
                    pg.stop();
                    CdcHarness.await("the replicator to report the outage", Duration.ofMinutes(2),
                            () -> cdc.status().lastError() != null && !cdc.process.status().isReady());
                    long eventsDuringOutage = changes.events;
                    // Retried against a server that is not there (not just the broken session), while changes pile up.
                    CdcHarness.await("retries against the stopped server, and changes written meanwhile", Duration.ofMinutes(2),
                            () -> changes.events > eventsDuringOutage + 500 && String.valueOf(cdc.status().lastError()).contains("refused"));
                    long appliedBeforeRestart = cdc.status().batchesApplied();
                    pg.start();
                    CdcHarness.await("pages applied after the restart", Duration.ofMinutes(2),
                            () -> cdc.status().batchesApplied() > appliedBeforeRestart + 2);
                } finally {
                    writing.set(false);
                    writer.get();
                }
                assertEveryChangeAppliedOnce(pg, db, changes);
                CdcHarness.await("an in-sync audit", Duration.ofMinutes(1), () -> cdc.status().audit() != null
                        && "in-sync".equals(cdc.status().audit().get("result")));
                assertNull(cdc.status().lastError());
                assertEquals(null, cdc.failure.get());
            }
        }
    }
    @Test
    void cancelRequestsLandingOnItsBeginsLoseNoChangeAndApplyNoneTwice() throws Exception {
        Path db = dir.resolve("cancelled.duckdb");
        OrderChanges changes = new OrderChanges(32);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             LateCancelProxy proxy = new LateCancelProxy(pg.port());
             DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 500);
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            env.put(Setting.POSTGRES_PORT.envName(), Integer.toString(proxy.port()));
            CdcHarness.pageSize(env, 150);
            env.put(Setting.CDC_AUDIT_INTERVAL.envName(), "1h"); // no audit to repair what a page might have lost
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                for (int i = 0; i < 8; i++) {
                    proxy.cancelNextBegin();
                    changes.writeBatch(w, 100);
                    CdcHarness.await("a BEGIN cancelled", Duration.ofMinutes(1), proxy::cancelDelivered);
                }
                assertEveryChangeAppliedOnce(pg, db, changes);
                assertEquals(null, cdc.failure.get());
            }
        }
    }
    /** PostgreSQL equals the warehouse, each row at the warehouse's version, and no page counted twice. */
    private static void assertEveryChangeAppliedOnce(EmbeddedPostgres pg, Path db, OrderChanges changes) throws Exception {
        CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofMinutes(2));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
            CdcHarness.assertSameVersions(c, "CAST(json_extract_string(\"RECORD_METADATA\", '$.partition') AS BIGINT)",
                    "CAST(json_extract_string(\"RECORD_METADATA\", '$.offset') AS BIGINT)", CdcHarness.DUCK_TABLE, pg);
        }
        // Every committed upsert or delete moved a row to a newer version; a page applied twice
        // would have been a no-op, so the totals can never exceed the change events written.
        long applied = Long.parseLong(CdcHarness.pgValue(pg, "SELECT rows_upserted + rows_deleted FROM public.orderpipeline_cdc_state"));
        assertTrue(applied <= changes.events, applied + " rows applied for " + changes.events + " change events");
    }
}
