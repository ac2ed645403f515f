package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.warehouse.SnowflakeWarehouse;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a sync costs the warehouse, on /status, and the cheap check before a change read. */
class CdcCostTest {
    @TempDir
    Path dir;

    /**
     * fakesnow answers INFORMATION_SCHEMA.TABLES.LAST_ALTERED with a constant (1970-01-01), so the
     * marker never moves: the replicator must never trust it, and keeps reading every cycle. (A
     * marker that moves, as Snowflake's does, cannot be shown here: see SNOWFLAKE.md.)
     */
    @Test
    void aChangeMarkerThatNeverMovesIsNeverTrustedSoEveryChangeIsStillRead() throws Exception {
        try (FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            SinkConfig.Snowflake sink = new SinkConfig.Snowflake(fakesnow.jdbcUrl(), "fakesnow", "LOADER", Optional.empty(),
                    Optional.empty(), SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"), SqlIdentifier.of("ORDERS"),
                    List.of("orderid"), SnowflakeKeyPair.pem(null), Optional.empty());
            OrderChanges changes = new OrderChanges(41).numbersInTombstones();
            try (SnowflakeWarehouse w = new SnowflakeWarehouse(sink, "cdc-test")) {
                changes.writeBatch(w, 20);
                Map<String, String> env = CdcHarness.fakesnowEnv(fakesnow, pg);
                try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                    CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
                    CdcHarness.await("a few idle cycles with marker checks", Duration.ofSeconds(30),
                            () -> ((Number) cdc.status().cost().get("markerChecks")).longValue() >= 4);
                    changes.writeBatch(w, 10, List.of(), 0.5, 0.0);
                    CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(30));
                    Map<String, Object> cost = cdc.status().cost();
                    assertEquals(0L, ((Number) cost.get("readsSkipped")).longValue(), "a marker that never moved skips nothing: " + cost);
                    assertTrue(((Number) cost.get("readsRun")).longValue() >= 4, String.valueOf(cost));
                    assertTrue(((Number) cost.get("estimatedWarehouseSeconds")).doubleValue() >= 60,
                            "every read keeps a Snowflake warehouse up for at least its 60 s minimum: " + cost);
                }
            }
        }
    }

    @Test
    void anIdlePauseShorterThanTheIntervalIsRefusedNamingTheVariable() {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                Setting.CDC_NAME.envName(), "orders-analytics",
                Setting.CDC_KEY_COLUMNS.envName(), "ORDERID",
                Setting.SINK_TYPE.envName(), "duckdb",
                Setting.DUCKDB_PATH.envName(), dir.resolve("x.duckdb").toString(),
                Setting.POSTGRES_HOST.envName(), "localhost",
                Setting.POSTGRES_DATABASE.envName(), "analytics",
                Setting.POSTGRES_TABLE.envName(), "orders",
                Setting.POSTGRES_USER.envName(), "u",
                Setting.POSTGRES_PASSWORD.envName(), "p"));
        env.put(Setting.CDC_INTERVAL.envName(), "10s");
        env.put(Setting.CDC_IDLE_INTERVAL_MAX.envName(), "2s");
        ConfigException e = assertThrows(ConfigException.class, () -> CdcConfig.from(new Environment(env)));
        assertTrue(e.getMessage().contains("OPL_CDC_IDLE_INTERVAL_MAX='2s'"), e.getMessage());
        env.put(Setting.CDC_IDLE_INTERVAL_MAX.envName(), "2m");
        assertEquals(Duration.ofMinutes(2), CdcConfig.from(new Environment(env)).idleIntervalMax());
        env.remove(Setting.CDC_IDLE_INTERVAL_MAX.envName());
        assertEquals(Duration.ofSeconds(10), CdcConfig.from(new Environment(env)).idleIntervalMax(), "unset: no backoff");
    }
}
