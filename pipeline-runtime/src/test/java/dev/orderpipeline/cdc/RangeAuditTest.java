package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift audit of a pipelineRef sync is computed by DuckDB and PostgreSQL per key-hash range; a row
 * changed behind the replicator's back is reported in its own range, and only there.
 */
class RangeAuditTest {
    @TempDir
    Path dir;

    @Test
    void aDriftedRowIsFoundInItsKeyRangeAndTheOtherRangesAgree() throws Exception {
        Path db = dir.resolve("audit.duckdb");
        OrderChanges changes = new OrderChanges(31);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 6; i++) {
                changes.writeBatch(w, 500);
            }
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            env.put(Setting.CDC_AUDIT_INTERVAL.envName(), "1s");
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
                CdcHarness.await("an in-sync range audit", Duration.ofSeconds(30), () -> {
                    Map<String, Object> audit = cdc.status().audit();
                    return audit != null && "in-sync".equals(audit.get("result"));
                });
                assertEquals("ranges", cdc.status().audit().get("method"));
                assertEquals((long) changes.live().size(), ((Number) cdc.status().audit().get("sourceRows")).longValue());

                long drifted = changes.live().keySet().stream().sorted().skip(77).findFirst().orElseThrow();
                String range;
                try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE " + CdcHarness.PG_TABLE + " SET _opl_offset = _opl_offset - 1 WHERE orderid = " + drifted);
                    try (ResultSet rs = s.executeQuery("SELECT substr(md5('" + drifted + "'), 1, 2)")) {
                        rs.next();
                        range = rs.getString(1);
                    }
                }
                CdcHarness.await("the audit to see the drift", Duration.ofSeconds(30),
                        () -> "drift".equals(cdc.status().audit().get("result")));
                Map<String, Object> audit = cdc.status().audit();
                assertEquals(List.of(range), audit.get("driftedRanges"), "only the drifted row's range differs: " + audit);
                assertEquals(audit.get("sourceRows"), audit.get("targetRows"), "an offset changed, not a row count");
            }
        }
    }
}
