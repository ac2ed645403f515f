package dev.orderpipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.embedded.SnowflakeKeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", PLAIN_KEY);
        return env;
    }

    /** Real keys, made once: an unencrypted PKCS#8 key, and one encrypted with {@link #PASSPHRASE}. */
    private static final String PLAIN_KEY = SnowflakeKeyPair.pem(null);
    private static final String PASSPHRASE = "correct horse battery staple";
    private static final String ENCRYPTED_KEY = SnowflakeKeyPair.pem(PASSPHRASE);

    /** The key's body lines: none of them may show in an error. */
    private static List<String> bodyOf(String pem) {
        return pem.lines().filter(l -> !l.startsWith("-----")).toList();
    }

    private static void assertNamesTheSettingAndNotTheKey(String setting, String message, String pem) {
        assertTrue(message.startsWith(setting + " (or " + setting + "_FILE) "), message);
        assertTrue(message.contains("expected") || message.contains("give the passphrase"), "says the fix: " + message);
        for (String line : bodyOf(pem)) {
            assertFalse(message.contains(line), "no key material in: " + message);
        }
        assertFalse(message.contains(PASSPHRASE), message);
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
            "OPL_DUCKDB_MEMORY_LIMIT|512",
            "OPL_DUCKDB_MEMORY_LIMIT|1Gi",
            "OPL_DUCKDB_MEMORY_LIMIT|80%; SET threads=1",
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
    void duckDbsMemoryLimitIsTakenAsDuckDbWritesASizeAndIsLeftToTheRuntimeWhenUnset() {
        assertEquals(Optional.empty(), ((SinkConfig.DuckDb) LoaderConfig.from(new Environment(minimal())).sink()).memoryLimit());
        for (String size : List.of("320MiB", "2GB", "1.5 GiB", "640kb")) {
            Map<String, String> env = minimal();
            env.put("OPL_DUCKDB_MEMORY_LIMIT", size);
            assertEquals(Optional.of(size), ((SinkConfig.DuckDb) LoaderConfig.from(new Environment(env)).sink()).memoryLimit());
        }
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
    void aRealKeyPlainOrEncryptedWithItsPassphraseIsAccepted() {
        Map<String, String> env = snowflake();
        SinkConfig.Snowflake plain = (SinkConfig.Snowflake) LoaderConfig.from(new Environment(env)).sink();
        assertEquals(PLAIN_KEY.strip(), plain.privateKeyPem().strip());
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", ENCRYPTED_KEY);
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", PASSPHRASE);
        SinkConfig.Snowflake encrypted = (SinkConfig.Snowflake) LoaderConfig.from(new Environment(env)).sink();
        assertEquals(PASSPHRASE, encrypted.privateKeyPassphrase().orElseThrow());
        assertFalse(encrypted.toString().contains(bodyOf(ENCRYPTED_KEY).get(0)), encrypted.toString());
    }

    @Test
    void aTruncatedKeyIsAConfigurationErrorNamingTheKeySetting() {
        // Cut in the middle of its body, as a bad copy-paste or a half-written Secret leaves it: no END line.
        Map<String, String> env = snowflake();
        String truncated = PLAIN_KEY.substring(0, PLAIN_KEY.length() / 2);
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", truncated);
        String message = error(env);
        assertNamesTheSettingAndNotTheKey("OPL_SNOWFLAKE_PRIVATE_KEY", message, PLAIN_KEY);
        assertTrue(message.contains("is not PEM"), message);
    }

    @Test
    void garbageInsideThePemArmorIsAConfigurationErrorNamingTheKeySetting() {
        Map<String, String> env = snowflake();
        List<String> lines = new java.util.ArrayList<>(PLAIN_KEY.lines().toList());
        lines.set(2, "!!!! this line is not base64 at all !!!!");
        String damaged = String.join("\n", lines);
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", damaged);
        assertNamesTheSettingAndNotTheKey("OPL_SNOWFLAKE_PRIVATE_KEY", error(env), PLAIN_KEY);
    }

    @Test
    void textThatIsNotAKeyIsAConfigurationErrorNamingTheKeySettingWithoutQuotingIt() {
        Map<String, String> env = snowflake();
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", "pasted-the-wrong-thing-7f3a");
        String message = error(env);
        assertNamesTheSettingAndNotTheKey("OPL_SNOWFLAKE_PRIVATE_KEY", message, PLAIN_KEY);
        assertFalse(message.contains("7f3a"), message);
        assertTrue(message.contains("BEGIN PRIVATE KEY"), "says what a key looks like: " + message);
    }

    @Test
    void aPemBlockThatIsNotAPrivateKeyIsAConfigurationErrorNamingTheKeySetting() throws Exception {
        // A public key, as someone pasting the wrong half of the pair does.
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String publicKey = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        Map<String, String> env = snowflake();
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", publicKey);
        String message = error(env);
        assertNamesTheSettingAndNotTheKey("OPL_SNOWFLAKE_PRIVATE_KEY", message, publicKey);
        assertTrue(message.contains("holds no PKCS#8 private key"), message);
    }

    @Test
    void aWrongPassphraseIsAConfigurationErrorNamingThePassphraseSetting() {
        Map<String, String> env = snowflake();
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", ENCRYPTED_KEY);
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", "not the passphrase");
        String message = error(env);
        assertNamesTheSettingAndNotTheKey("OPL_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", message, ENCRYPTED_KEY);
        assertTrue(message.contains("does not decrypt"), message);
        assertFalse(message.contains("not the passphrase"), message);
    }

    @Test
    void anEncryptedKeyWithoutItsPassphraseIsAConfigurationErrorNamingThePassphraseSetting() {
        Map<String, String> env = snowflake();
        env.put("OPL_SNOWFLAKE_PRIVATE_KEY", ENCRYPTED_KEY);
        String message = error(env);
        assertNamesTheSettingAndNotTheKey("OPL_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", message, ENCRYPTED_KEY);
        assertTrue(message.contains("the private key is encrypted"), message);
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
