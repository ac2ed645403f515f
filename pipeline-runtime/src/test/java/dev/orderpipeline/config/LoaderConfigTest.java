package dev.orderpipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LoaderConfigTest {
    @TempDir
    Path dir;

    static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("OPL_PIPELINE_NAME", "orders");
        env.put("OPL_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        env.put("OPL_KAFKA_TOPIC", "orders");
        env.put("OPL_DEAD_LETTER_TOPIC", "orders-dlq");
        return env;
    }

    static Map<String, String> snowflake() {
        Map<String, String> env = minimal();
        env.put("OPL_SINK_TYPE", "snowflake");
        env.put("OPL_SNOWFLAKE_ACCOUNT", "myorg-acct");
        env.put("OPL_SNOWFLAKE_USER", "LOADER");
        env.put("OPL_SNOWFLAKE_DATABASE", "ANALYTICS");
        env.put("OPL_SNOWFLAKE_SCHEMA", "RAW");
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----");
        return env;
    }

    static String error(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> LoaderConfig.from(new Environment(env))).getMessage();
    }

    @Test
    void minimalEnvironmentLoadsDuckDbAppendOnlyWithDocumentedDefaults() {
        LoaderConfig config = LoaderConfig.from(new Environment(minimal()));
        assertEquals("orders", config.source().groupId());
        assertEquals(List.of(), config.sink().keyFields());
        assertTrue(config.sink() instanceof SinkConfig.DuckDb);
        assertEquals(Duration.ofSeconds(1), config.batch().maxLatency());
        assertEquals(LoaderConfig.ErrorTolerance.ALL, config.errorTolerance());
        assertEquals(8080, config.httpPort());
        assertEquals(KafkaSourceConfig.OffsetReset.FAIL, config.source().offsetReset(), "never skip stored progress silently");
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPL_PIPELINE_NAME", "OPL_KAFKA_BOOTSTRAP_SERVERS", "OPL_KAFKA_TOPIC", "OPL_DEAD_LETTER_TOPIC"})
    void eachRequiredLoaderSettingMissingIsNamedInTheError(String name) {
        Map<String, String> env = minimal();
        env.remove(name);
        assertTrue(error(env).startsWith(name + " is required"), error(env));
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPL_SNOWFLAKE_ACCOUNT", "OPL_SNOWFLAKE_USER", "OPL_SNOWFLAKE_DATABASE", "OPL_SNOWFLAKE_SCHEMA",
            "OPL_SNOWFLAKE_PRIVATE_KEY"})
    void eachRequiredSnowflakeSettingMissingIsNamedInTheError(String name) {
        Map<String, String> env = snowflake();
        env.remove(name);
        assertTrue(error(env).startsWith(name + " is required when OPL_SINK_TYPE=snowflake"), error(env));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "OPL_SINK_TABLE|orders; drop table x",
            "OPL_DUCKDB_SCHEMA|main\"--",
            "OPL_KAFKA_TOPIC|orders topic",
            "OPL_DEAD_LETTER_TOPIC|dlq/x",
            "OPL_SINK_KEY_FIELDS|orderid, id) or 1=1",
            "OPL_BATCH_MAX_RECORDS|0",
            "OPL_BATCH_MAX_BYTES|lots",
            "OPL_BATCH_MAX_LATENCY|soon",
            "OPL_ERROR_TOLERANCE|some",
            "OPL_SINK_TYPE|oracle",
            "OPL_KAFKA_START_POSITION|middle",
            "OPL_KAFKA_OFFSET_RESET|skip",
            "OPL_HTTP_PORT|70000",
            "OPL_PIPELINE_NAME|a b"})
    void invalidValuesAreRefusedNamingTheSetting(String name, String value) {
        Map<String, String> env = minimal();
        env.put(name, value);
        String message = error(env);
        assertTrue(message.startsWith(name + "="), message);
        assertTrue(message.contains("expected"), message);
    }

    @Test
    void aHostileSnowflakeDatabaseNameIsRefused() {
        Map<String, String> env = snowflake();
        env.put("OPL_SNOWFLAKE_DATABASE", "ANALYTICS\"; DROP DATABASE PROD; --");
        assertTrue(error(env).startsWith("OPL_SNOWFLAKE_DATABASE="));
    }

    @Test
    void saslSslNeedsTheApiKeyAndSecretAndNeverShowsTheSecret() throws Exception {
        Map<String, String> env = minimal();
        env.put("OPL_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        assertTrue(error(env).startsWith("OPL_KAFKA_SASL_USERNAME is required when OPL_KAFKA_SECURITY_PROTOCOL=SASL_SSL"));
        env.put("OPL_KAFKA_SASL_USERNAME", "APIKEY123");
        Path secret = dir.resolve("api-secret");
        Files.writeString(secret, "very-secret-value\n");
        env.put("OPL_KAFKA_SASL_PASSWORD_FILE", secret.toString());
        LoaderConfig config = LoaderConfig.from(new Environment(env));
        assertEquals("very-secret-value", config.source().credentials().orElseThrow().password());
        assertFalse(config.toString().contains("very-secret-value"), config.toString());
    }

    @Test
    void stoppingAtTheFirstBadRecordNeedsNoDeadLetterTopic() {
        Map<String, String> env = minimal();
        env.remove("OPL_DEAD_LETTER_TOPIC");
        env.put("OPL_ERROR_TOLERANCE", "none");
        assertEquals(LoaderConfig.ErrorTolerance.NONE, LoaderConfig.from(new Environment(env)).errorTolerance());
    }

    @Test
    void aSecretFileThatCannotBeReadIsNamed() {
        Map<String, String> env = snowflake();
        env.remove("OPL_SNOWFLAKE_PRIVATE_KEY");
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY_FILE", dir.resolve("missing.pem").toString());
        assertTrue(error(env).startsWith("OPL_SNOWFLAKE_PRIVATE_KEY_FILE names a file that cannot be read"));
    }

    @Test
    void durationsAcceptTheUnitsUsersWrite() {
        Map<String, String> env = minimal();
        env.put("OPL_BATCH_MAX_LATENCY", "250ms");
        assertEquals(Duration.ofMillis(250), LoaderConfig.from(new Environment(env)).batch().maxLatency());
        env.put("OPL_BATCH_MAX_LATENCY", "2m");
        assertEquals(Duration.ofMinutes(2), LoaderConfig.from(new Environment(env)).batch().maxLatency());
    }
}
