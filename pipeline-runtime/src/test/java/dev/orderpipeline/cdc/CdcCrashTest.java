package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.testing.RuntimeChild;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.warehouse.SnowflakeWarehouse;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.warehouse.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicator runs as {@code pipeline-runtime cdc} in a child JVM and is killed with SIGKILL at
 * random moments while inserts, updates and deletes keep arriving in the warehouse (written by the
 * loader's own warehouse code). Each time a new one starts. At the end PostgreSQL must equal the
 * warehouse exactly, row values and versions: nothing lost, nothing applied twice or out of order.
 */
class CdcCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KILLS = 10;

    @TempDir
    Path dir;

    @Test
    void replicatingFromDuckDbSurvivesTenSigkillsWhileInsertsUpdatesAndDeletesFlow() throws Exception {
        Path db = dir.resolve("warehouse.duckdb");
        OrderChanges changes = new OrderChanges(21);
        try (Warehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 5; i++) {
                changes.writeBatch(w, 400);
            }
        }
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            CdcHarness.pageSize(env, 300);
            // One read-write process per DuckDB file: the writer takes the file between the replicator's
            // read cycles (the replicator opens it read-only, per cycle), each retrying while the other holds it.
            Supplier<Warehouse> writerSide = () -> CdcHarness.duckWarehouse(db);
            killRepeatedly(env, changes, writerSide, true, 200, 300);
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                assertEquals(changes.live(), dev.orderpipeline.verify.WarehouseOrders.live(c, CdcHarness.DUCK_TABLE));
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(1));
                CdcHarness.assertSameVersions(c, "CAST(json_extract_string(\"RECORD_METADATA\", '$.partition') AS BIGINT)",
                        "CAST(json_extract_string(\"RECORD_METADATA\", '$.offset') AS BIGINT)", CdcHarness.DUCK_TABLE, pg);
            }
        }
    }

    @Test
    void replicatingFromSnowflakeSurvivesTenSigkillsWhileInsertsUpdatesAndDeletesFlow() throws Exception {
        try (FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            SinkConfig.Snowflake sink = new SinkConfig.Snowflake(fakesnow.jdbcUrl(), "fakesnow", "LOADER", Optional.empty(),
                    Optional.empty(), SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"), SqlIdentifier.of("ORDERS"),
                    List.of("orderid"), SnowflakeKeyPair.pem(null), Optional.empty());
            // fakesnow runs an array bind row by row (~200 rows/s): a small flow, 20 events every 200 ms.
            OrderChanges changes = new OrderChanges(22).numbersInTombstones();
            SnowflakeWarehouse loaderSide = new SnowflakeWarehouse(sink, "cdc-test");
            changes.writeBatch(loaderSide, 300);
            Map<String, String> env = CdcHarness.fakesnowEnv(fakesnow, pg);
            killRepeatedly(env, changes, () -> loaderSide, false, 20, 200);
            loaderSide.close();
            CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(1));
            try (Connection c = CdcHarness.fakesnowConnection(fakesnow)) {
                assertEquals(changes.live(), dev.orderpipeline.verify.WarehouseOrders.live(c, "ANALYTICS.RAW.ORDERS"));
                CdcHarness.assertSameVersions(c, "RECORD_METADATA:partition::BIGINT", "RECORD_METADATA:offset::BIGINT",
                        "ANALYTICS.RAW.ORDERS", pg);
            }
        }
    }

    /**
     * Writes in the background while replicators are started and SIGKILLed; ends with a clean SIGTERM.
     * Each life is killed only once it has applied a page (its /status counts them), and then after a
     * random delay, so every kill interrupts a running replicator at a random point of its cycle.
     */
    private void killRepeatedly(Map<String, String> env, OrderChanges changes, Supplier<Warehouse> warehouse,
                                boolean closeBetweenBatches, int batchSize, long pauseMillis) throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            Warehouse w = warehouse.get();
            while (writing.get()) {
                try {
                    changes.writeBatch(w, batchSize);
                    if (closeBetweenBatches) {
                        w.close();
                    }
                    Thread.sleep(pauseMillis);
                } catch (SQLException busy) {
                    // DuckDB: the replicator holds the file for a read cycle (the batch was not written; retry)
                    w.reset();
                    sleep(30);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (closeBetweenBatches) {
                w.close();
            }
        });
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                try (RuntimeChild cdc = RuntimeChild.start(dir, env, "cdc")) {
                    // A JVM can take many seconds to start on a loaded machine: wait for this life to apply a page.
                    awaitApplied(cdc, Duration.ofMinutes(3), "life " + kill + " (seed " + seed + ")");
                    int delay = random.nextInt(1500);
                    Thread.sleep(delay);
                    System.out.printf("life %d: applied a page, killed %d ms later; %d change events written so far%n",
                            kill, delay, changes.events);
                    assertTrue(cdc.isAlive(), "the replicator died by itself (seed " + seed + "):\n" + cdc.output());
                    cdc.kill();
                }
            }
        } finally {
            writing.set(false);
            writer.get();
        }
        assertTrue(changes.deletes > 20, "the flow must include deletions");
        try (RuntimeChild cdc = RuntimeChild.start(dir, env, "cdc")) {
            try {
                CdcHarness.await("the last replicator to report an in-sync audit", Duration.ofMinutes(3), () -> {
                    JsonNode status = status(cdc);
                    return !cdc.isAlive() || status != null && "in-sync".equals(status.path("audit").path("result").asText());
                });
                assertTrue(cdc.isAlive(), "the last replicator exited:\n" + cdc.output());
            } catch (AssertionError e) {
                String out = cdc.output();
                throw new AssertionError(e.getMessage() + "; status " + status(cdc) + "; output tail:\n"
                        + out.substring(Math.max(0, out.length() - 3000)));
            }
            assertEquals("ok\n", cdc.get("/healthz"));
            assertEquals("ready\n", cdc.get("/readyz"));
            String metrics = cdc.get("/metrics");
            assertNotNull(metrics);
            assertTrue(metrics.contains("orderpipeline_cdc_drift_detected"), metrics);
            JsonNode status = status(cdc);
            assertEquals(changes.live().size(), status.path("audit").path("sourceRows").asLong());
            assertTrue(status.path("totalRowsUpserted").asLong() >= changes.live().size(), status.toString());
            assertEquals(0, cdc.terminate(Duration.ofSeconds(60)), cdc.output());
        }
    }

    /** Waits until the child's /status shows a page applied in this life; fails if it exits or never does. */
    private static void awaitApplied(RuntimeChild cdc, Duration timeout, String life) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = status(cdc);
            if (status != null && status.path("batchesApplied").asLong() > 0) {
                return;
            }
            assertTrue(cdc.isAlive(), life + ": the replicator exited:\n" + cdc.output());
            Thread.sleep(50);
        }
        throw new AssertionError(life + " applied nothing within " + timeout + "; status " + status(cdc) + ":\n"
                + cdc.output());
    }

    private static JsonNode status(RuntimeChild cdc) {
        String body = cdc.get("/status");
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
