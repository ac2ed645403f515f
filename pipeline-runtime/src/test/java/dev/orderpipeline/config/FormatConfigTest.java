package dev.orderpipeline.config;

import static dev.orderpipeline.config.LoaderConfigTest.error;
import static dev.orderpipeline.config.LoaderConfigTest.minimal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatConfigTest {
    @TempDir
    Path dir;

    static FormatConfig format(Map<String, String> env) {
        return LoaderConfig.from(new Environment(env)).source().format();
    }

    @Test
    void withoutFormatSettingsTheLoaderReadsJsonAsBeforeAndNeedsNoRegistry() {
        assertEquals(FormatConfig.JSON, format(minimal()));
    }

    @Test
    void avroWithoutARegistryUrlIsRefusedNamingTheVariableAndTheFix() {
        Map<String, String> env = minimal();
        env.put("OPL_KAFKA_VALUE_FORMAT", "avro");
        String message = error(env);
        assertTrue(message.startsWith("OPL_SCHEMA_REGISTRY_URL is required when OPL_KAFKA_VALUE_FORMAT=avro"), message);
        assertTrue(message.contains("or set OPL_KAFKA_VALUE_FORMAT to json or string"), message);
    }

    @Test
    void anAvroKeyAloneAlsoNeedsTheRegistry() {
        Map<String, String> env = minimal();
        env.put("OPL_KAFKA_KEY_FORMAT", "avro");
        assertTrue(error(env).startsWith("OPL_SCHEMA_REGISTRY_URL is required when OPL_KAFKA_KEY_FORMAT=avro"));
    }

    @Test
    void protobufValuesAndKeysNeedTheRegistryLikeTheOtherConfluentFormats() {
        Map<String, String> env = minimal();
        env.put("OPL_KAFKA_VALUE_FORMAT", "protobuf");
        assertTrue(error(env).startsWith("OPL_SCHEMA_REGISTRY_URL is required when OPL_KAFKA_VALUE_FORMAT=protobuf"));
        env.put("OPL_KAFKA_KEY_FORMAT", "protobuf");
        env.put("OPL_SCHEMA_REGISTRY_URL", "http://registry:8081");
        FormatConfig format = format(env);
        assertEquals(RecordFormat.PROTOBUF, format.valueFormat());
        assertEquals(RecordFormat.PROTOBUF, format.keyFormat());
        assertEquals(URI.create("http://registry:8081"), format.registry().orElseThrow().url());
    }

    @Test
    void registryCredentialsComeFromMountedSecretFilesAndNeverShowInToString() throws Exception {
        Path user = Files.writeString(dir.resolve("user"), "SRKEY\n");
        Path secret = Files.writeString(dir.resolve("secret"), "s3cr3t-value\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Map<String, String> env = minimal();
        env.put("OPL_KAFKA_VALUE_FORMAT", "json_sr");
        env.put("OPL_SCHEMA_REGISTRY_URL", "https://psrc-123.europe-west3.gcp.confluent.cloud/");
        env.put("OPL_SCHEMA_REGISTRY_USERNAME_FILE", user.toString());
        env.put("OPL_SCHEMA_REGISTRY_PASSWORD_FILE", secret.toString());
        env.put("OPL_SCHEMA_REGISTRY_CA_FILE", ca.toString());
        FormatConfig format = format(env);
        assertEquals(RecordFormat.JSON_SR, format.valueFormat());
        assertEquals(RecordFormat.JSON, format.keyFormat());
        FormatConfig.SchemaRegistryConfig registry = format.registry().orElseThrow();
        assertEquals(URI.create("https://psrc-123.europe-west3.gcp.confluent.cloud"), registry.url());
        assertEquals(Optional.of("SRKEY"), registry.username());
        assertEquals(Optional.of("s3cr3t-value"), registry.password());
        assertEquals(Optional.of(ca), registry.caFile());
        assertFalse(format.toString().contains("s3cr3t"), format.toString());
    }

    @Test
    void halfACredentialIsRefusedNamingTheMissingHalf() {
        Map<String, String> env = minimal();
        env.put("OPL_KAFKA_VALUE_FORMAT", "avro");
        env.put("OPL_SCHEMA_REGISTRY_URL", "http://registry:8081");
        env.put("OPL_SCHEMA_REGISTRY_USERNAME", "SRKEY");
        assertTrue(error(env).startsWith("OPL_SCHEMA_REGISTRY_PASSWORD is required"), error(env));
    }

    @Test
    void aRegistryUrlThatIsNotHttpIsRefused() {
        Map<String, String> env = minimal();
        env.put("OPL_KAFKA_VALUE_FORMAT", "avro");
        env.put("OPL_SCHEMA_REGISTRY_URL", "registry:8081");
        assertEquals("OPL_SCHEMA_REGISTRY_URL='registry:8081' is invalid: expected an http:// or https:// URL.", error(env));
    }
}
