package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cursor mode on a table that is not a loader's: an UPDATED_AT timestamp and a soft-delete flag.
 * Two transactions take their cursor values in one order and commit in the other; the later commit
 * carries the smaller value, below the watermark the replicator has already moved past, but inside
 * the lookback window, so it is still applied. Re-reading the window changes nothing.
 */
class CursorModeTest {
    private static final String TABLE = "main.\"SHIPMENTS\"";
    private static final String BASE = "TIMESTAMP '2026-01-01 00:00:00'";

    @TempDir
    Path dir;

    @Test
    void outOfOrderCommitsInsideTheLookbackWindowAreAppliedAndNothingIsLost() throws Exception {
        Path db = dir.resolve("cursor.duckdb");
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            env.put(Setting.CDC_NAME.envName(), "shipments");
            env.put(Setting.CDC_SOURCE_MODE.envName(), "cursor");
            env.put(Setting.CDC_SOURCE_TABLE.envName(), "SHIPMENTS");
            env.put(Setting.CDC_KEY_COLUMNS.envName(), "ID");
            env.put(Setting.CDC_CURSOR_COLUMN.envName(), "UPDATED_AT");
            env.put(Setting.CDC_CURSOR_LOOKBACK.envName(), "5m");
            CdcHarness.pageSize(env, 20);
            env.put(Setting.POSTGRES_TABLE.envName(), "shipments");
            try (Connection source = DriverManager.getConnection("jdbc:duckdb:" + db);
                 Statement s = source.createStatement()) {
                s.execute("CREATE TABLE " + TABLE + " (\"ID\" BIGINT PRIMARY KEY, \"UPDATED_AT\" TIMESTAMP NOT NULL, "
                        + "\"STATUS\" VARCHAR, \"_DELETED\" BOOLEAN NOT NULL DEFAULT FALSE)");
                s.execute("INSERT INTO " + TABLE + " SELECT i, " + BASE + " + i * INTERVAL 1 SECOND, 'created', FALSE "
                        + "FROM range(1, 51) t(i)");
                try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                    awaitEqual(source, pg, "the initial rows");

                    // T1 takes its cursor value (BASE + 100 s) first but commits last; T2 commits
                    // BASE + 200 s (and an update at + 201 s) in between, and is applied first.
                    try (Connection t1 = DriverManager.getConnection("jdbc:duckdb:" + db);
                         Statement s1 = t1.createStatement()) {
                        t1.setAutoCommit(false);
                        s1.execute("INSERT INTO " + TABLE + " VALUES (1000, " + BASE + " + INTERVAL 100 SECOND, 'late', FALSE)");
                        s.execute("INSERT INTO " + TABLE + " VALUES (1001, " + BASE + " + INTERVAL 200 SECOND, 'on time', FALSE)");
                        s.execute("UPDATE " + TABLE + " SET \"STATUS\" = 'shipped', \"UPDATED_AT\" = " + BASE
                                + " + INTERVAL 201 SECOND WHERE \"ID\" = 5");
                        CdcHarness.await("T2's rows in PostgreSQL (the watermark past T1's value)", Duration.ofMinutes(2),
                                () -> "shipped".equals(CdcHarness.pgValue(pg, "SELECT status FROM public.shipments WHERE id = 5"))
                                        && "on time".equals(CdcHarness.pgValue(pg, "SELECT status FROM public.shipments WHERE id = 1001")));
                        t1.commit();
                    }
                    CdcHarness.await("T1's late row in PostgreSQL", Duration.ofMinutes(2),
                            () -> "late".equals(CdcHarness.pgValue(pg, "SELECT status FROM public.shipments WHERE id = 1000")));

                    s.execute("UPDATE " + TABLE + " SET \"_DELETED\" = TRUE, \"UPDATED_AT\" = " + BASE
                            + " + INTERVAL 202 SECOND WHERE \"ID\" = 7");
                    CdcHarness.await("the soft delete applied", Duration.ofMinutes(2),
                            () -> "0".equals(CdcHarness.pgValue(pg, "SELECT count(*) FROM public.shipments WHERE id = 7")));
                    awaitEqual(source, pg, "every row");

                    // Several more cycles re-read the lookback window: the guard makes them no-ops.
                    long batches = cdc.status().batchesApplied();
                    CdcHarness.await("more read cycles", Duration.ofMinutes(1), () -> cdc.status().batchesApplied() >= batches + 3);
                    assertEquals(50 + 3, cdc.status().rowsUpserted(), "50 rows, T2's two and T1's one, each upserted once");
                    assertEquals(1, cdc.status().rowsDeleted());
                    awaitEqual(source, pg, "every row, after the re-reads");
                    assertEquals(null, cdc.failure.get());
                }
            }
        }
    }

    private static void awaitEqual(Connection source, EmbeddedPostgres pg, String what) throws Exception {
        String sourceQuery = "SELECT \"ID\", strftime(\"UPDATED_AT\", '%Y-%m-%d %H:%M:%S'), \"STATUS\" FROM " + TABLE
                + " WHERE NOT \"_DELETED\"";
        String targetQuery = "SELECT id, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS'), status FROM public.shipments";
        List<String> expected = CdcHarness.rows(source, sourceQuery);
        CdcHarness.await(what + " in PostgreSQL", Duration.ofMinutes(2), () -> {
            try (Connection c = pg.connect()) {
                return CdcHarness.rows(c, targetQuery).equals(expected);
            } catch (Exception e) {
                return false;
            }
        });
    }
}
