package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.RuntimeChild;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipeline-runtime cdc} as a pod runs it: exit codes and SIGTERM. */
class CdcProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aHostileTargetTableNameMakesTheCdcProcessExitWithCode2NamingTheSetting() {
        Map<String, String> env = CdcConfigTest.valid();
        env.put(Setting.POSTGRES_TABLE.envName(), "orders\"; DROP TABLE orderpipeline_cdc_state; --");
        try (RuntimeChild cdc = RuntimeChild.start(dir, env, "cdc")) {
            assertEquals(2, cdc.waitForExit(Duration.ofMinutes(2)), cdc.output());
            assertTrue(cdc.output().contains("configuration error: OPL_POSTGRES_TABLE="), cdc.output());
            assertFalse(cdc.output().contains("s3cret"), cdc.output());
        }
    }

    @Test
    void onSigtermTheReplicatorFinishesItsTransactionExitsZeroAndTheNextOneCompletesTheSync() throws Exception {
        Path db = dir.resolve("sigterm.duckdb");
        OrderChanges changes = new OrderChanges(51);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 6; i++) {
                changes.writeBatch(w, 500);
            }
        }
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            CdcHarness.pageSize(env, 100);
            try (RuntimeChild cdc = RuntimeChild.start(dir, env, "cdc")) {
                CdcHarness.await("a page applied", Duration.ofMinutes(3), () -> {
                    JsonNode status = status(cdc);
                    return !cdc.isAlive() || status != null && status.path("batchesApplied").asLong() > 0;
                });
                assertTrue(cdc.isAlive(), cdc.output());
                assertEquals(0, cdc.terminate(Duration.ofMinutes(1)), cdc.output());
                assertFalse(cdc.output().contains("cycle failed"), cdc.output());
            }
            long generation = Long.parseLong(CdcHarness.pgValue(pg, "SELECT generation FROM public.orderpipeline_cdc_state"));
            assertTrue(generation > 0, "pages were committed before the SIGTERM");
            try (RuntimeChild cdc = RuntimeChild.start(dir, env, "cdc")) {
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofMinutes(3));
                // The first may have finished the sync; then PostgreSQL is equal before this one is past its start,
                // and a SIGTERM before its shutdown hook exists ends the JVM with 143, as any JVM's start would.
                CdcHarness.await("the replicator resumed", Duration.ofMinutes(1), () -> {
                    JsonNode status = status(cdc);
                    return !cdc.isAlive() || status != null && !status.path("phase").asText().equals("Starting");
                });
                assertEquals(0, cdc.terminate(Duration.ofMinutes(1)), cdc.output());
            }
        }
    }

    private static JsonNode status(RuntimeChild cdc) {
        String body = cdc.get("/status");
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }
}
