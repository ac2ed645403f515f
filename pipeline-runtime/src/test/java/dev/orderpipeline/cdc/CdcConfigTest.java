package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@code pipeline-runtime cdc}'s configuration: every bad value and every identifier that could
 * carry SQL is refused before anything connects, with a message that names the variable.
 */
class CdcConfigTest {

    static Map<String, String> valid() {
        Map<String, String> env = new HashMap<>();
        env.put("OPL_CDC_NAME", "orders-analytics");
        env.put("OPL_CDC_KEY_COLUMNS", "ORDERID");
        env.put("OPL_SINK_TYPE", "duckdb");
        env.put("OPL_DUCKDB_PATH", "/tmp/none.duckdb");
        env.put("OPL_POSTGRES_HOST", "pg.analytics.svc");
        env.put("OPL_POSTGRES_DATABASE", "analytics");
        env.put("OPL_POSTGRES_TABLE", "orders");
        env.put("OPL_POSTGRES_USER", "replicator");
        env.put("OPL_POSTGRES_PASSWORD", "s3cret-Pa55");
        return env;
    }

    @Test
    void aValidConfigurationHasTheDocumentedDefaultsAndNeverShowsTheCredentials() {
        CdcConfig config = CdcConfig.from(new Environment(valid()));
        assertEquals(CdcConfig.Mode.PIPELINEREF, config.mode());
        assertEquals("ORDERS", config.sourceTable().name());
        assertEquals(10_000, config.batchSize());
        assertEquals(25_000, config.snapshotBatchSize());
        assertEquals(Duration.ofSeconds(10), config.interval());
        assertEquals(Duration.ofMinutes(5), config.cursorLookback());
        assertEquals(Duration.ofMinutes(5), config.auditInterval());
        assertEquals(CdcConfig.Deletes.PROPAGATE, config.deletes());
        assertEquals("ORDERS_OPL_STREAM", config.streamName().name());
        assertEquals("ORDERS_OPL_STAGE", config.stagingPrefix().name());
        assertEquals("public", config.postgres().schema());
        assertEquals(5432, config.postgres().connection().port());
        assertEquals("verify-full", config.postgres().connection().sslmode());
        assertFalse(config.toString().contains("s3cret"), config.toString());
        assertFalse(config.toString().contains("replicator"), config.toString());
    }

    @Test
    void postgresNamesAreFoldedToLowerCase() {
        Map<String, String> env = valid();
        env.put("OPL_POSTGRES_TABLE", "Orders_Live");
        env.put("OPL_POSTGRES_SCHEMA", "Analytics");
        CdcConfig config = CdcConfig.from(new Environment(env));
        assertEquals("orders_live", config.postgres().table());
        assertEquals("analytics", config.postgres().schema());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("OPL_CDC_NAME", null),
                Arguments.of("OPL_CDC_NAME", "orders analytics; drop"),
                Arguments.of("OPL_CDC_KEY_COLUMNS", null),
                Arguments.of("OPL_CDC_KEY_COLUMNS", "ORDERID\"; DROP TABLE orderpipeline_cdc_state; --"),
                Arguments.of("OPL_CDC_KEY_COLUMNS", "ORDERID,1BAD"),
                Arguments.of("OPL_CDC_SOURCE_TABLE", "ORDERS\" WHERE 1=1; --"),
                Arguments.of("OPL_CDC_SOURCE_TABLE", "RAW.ORDERS"),
                Arguments.of("OPL_CDC_SOURCE_MODE", "logical-replication"),
                Arguments.of("OPL_CDC_SOURCE_MODE", "stream"),
                Arguments.of("OPL_CDC_CURSOR_COLUMN", "UPDATED_AT; DELETE FROM x"),
                Arguments.of("OPL_CDC_STREAM_NAME", "S'); DROP STREAM s; --"),
                Arguments.of("OPL_CDC_STAGING_PREFIX", "STAGE%"),
                Arguments.of("OPL_CDC_INTERVAL", "soon"),
                Arguments.of("OPL_CDC_BATCH_SIZE", "0"),
                Arguments.of("OPL_CDC_BATCH_SIZE", "-5"),
                Arguments.of("OPL_CDC_SNAPSHOT_BATCH_SIZE", "0"),
                Arguments.of("OPL_CDC_SNAPSHOT_BATCH_SIZE", "many"),
                Arguments.of("OPL_CDC_DELETES", "sometimes"),
                Arguments.of("OPL_CDC_AUDIT_INTERVAL", "5 minutes"),
                Arguments.of("OPL_POSTGRES_HOST", null),
                Arguments.of("OPL_POSTGRES_HOST", "pg.svc/postgres?user=admin"),
                Arguments.of("OPL_POSTGRES_PORT", "0"),
                Arguments.of("OPL_POSTGRES_PORT", "70000"),
                Arguments.of("OPL_POSTGRES_DATABASE", "analytics?sslmode=disable"),
                Arguments.of("OPL_POSTGRES_SCHEMA", "public\".\"pg_catalog"),
                Arguments.of("OPL_POSTGRES_TABLE", null),
                Arguments.of("OPL_POSTGRES_TABLE", "orders\"; DROP TABLE orderpipeline_cdc_state; --"),
                Arguments.of("OPL_POSTGRES_TABLE", "o".repeat(64)),
                Arguments.of("OPL_POSTGRES_TABLE", "orders$1"),
                Arguments.of("OPL_POSTGRES_USER", null),
                Arguments.of("OPL_POSTGRES_PASSWORD", null),
                Arguments.of("OPL_POSTGRES_SSLMODE", "sometimes"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("refused")
    void aBadValueOrAHostileIdentifierIsRefusedWithAMessageNamingTheSetting(String variable, String value) {
        Map<String, String> env = valid();
        if (value == null) {
            env.remove(variable);
        } else {
            env.put(variable, value);
        }
        ConfigException e = assertThrows(ConfigException.class, () -> CdcConfig.from(new Environment(env)));
        assertTrue(e.getMessage().contains(variable), e.getMessage());
    }

    @Test
    void aPostgresSinkIsRefusedAsASourceNamingTheSetting() {
        Map<String, String> env = valid();
        env.put("OPL_SINK_TYPE", "postgres");
        ConfigException e = assertThrows(ConfigException.class, () -> CdcConfig.from(new Environment(env)));
        assertTrue(e.getMessage().startsWith("OPL_SINK_TYPE='postgres' is invalid"), e.getMessage());
    }

    @Test
    void cursorModeNeedsTheCursorColumn() {
        Map<String, String> env = valid();
        env.put("OPL_CDC_SOURCE_MODE", "cursor");
        ConfigException e = assertThrows(ConfigException.class, () -> CdcConfig.from(new Environment(env)));
        assertTrue(e.getMessage().contains(Setting.CDC_CURSOR_COLUMN.envName()), e.getMessage());
    }

    @Test
    void aRejectedPasswordIsNeverEchoed() {
        Map<String, String> env = valid();
        env.remove("OPL_POSTGRES_PASSWORD");
        ConfigException e = assertThrows(ConfigException.class, () -> CdcConfig.from(new Environment(env)));
        assertTrue(e.getMessage().contains("OPL_POSTGRES_PASSWORD_FILE"), "the Secret-file variant is named: " + e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }
}
