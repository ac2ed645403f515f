package dev.orderpipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OPL_KAFKA_SSL_* and the SASL mechanism: every mistake names the variable and the fix, and no key is ever shown. */
class KafkaSecurityConfigTest {
    private static final TestCertificates CA = TestCertificates.authority("config-test-ca");

    @TempDir
    Path dir;

    private Map<String, String> ssl() {
        Map<String, String> env = LoaderConfigTest.minimal();
        env.put("OPL_KAFKA_SECURITY_PROTOCOL", "SSL");
        return env;
    }

    private String write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text).toString();
    }

    private static String error(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> LoaderConfig.from(new Environment(env))).getMessage();
    }

    @Test
    void aCaFileAloneTrustsThatCaWithoutAClientCertificate() throws Exception {
        Map<String, String> env = ssl();
        String ca = write("ca.crt", CA.caPem());
        env.put("OPL_KAFKA_SSL_CA_FILE", ca);

        KafkaSourceConfig.Tls tls = LoaderConfig.from(new Environment(env)).source().tls();

        assertEquals(java.util.Optional.of(ca), tls.caFile());
        assertFalse(tls.mutual());
    }

    @Test
    void aClientCertificateWithoutItsKeyNamesTheKeyVariable() throws Exception {
        Map<String, String> env = ssl();
        env.put("OPL_KAFKA_SSL_CERTIFICATE_FILE", write("tls.crt", CA.client("loader").certificatePem()));
        String message = error(env);
        assertTrue(message.startsWith("OPL_KAFKA_SSL_KEY_FILE is required when OPL_KAFKA_SSL_CERTIFICATE_FILE is set"), message);
        assertFalse(message.contains("_FILE_FILE"), message);
    }

    @Test
    void aKeyWithoutItsCertificateNamesTheCertificateVariable() throws Exception {
        Map<String, String> env = ssl();
        env.put("OPL_KAFKA_SSL_KEY_FILE", write("tls.key", CA.client("loader").privateKeyPem()));
        String message = error(env);
        assertTrue(message.startsWith("OPL_KAFKA_SSL_CERTIFICATE_FILE is required when OPL_KAFKA_SSL_KEY_FILE is set"), message);
    }

    @Test
    void aPkcs1KeyIsRefusedWithTheCommandThatConvertsIt() throws Exception {
        Map<String, String> env = ssl();
        env.put("OPL_KAFKA_SSL_CERTIFICATE_FILE", write("tls.crt", CA.client("loader").certificatePem()));
        String pkcs1 = TestCertificates.pkcs1RsaKeyPem();
        assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"), "the fixture must really be PKCS#1");
        env.put("OPL_KAFKA_SSL_KEY_FILE", write("tls.key", pkcs1));
        String message = error(env);
        assertTrue(message.startsWith("OPL_KAFKA_SSL_KEY_FILE names "), message);
        assertTrue(message.contains("PKCS#1") && message.contains("openssl pkcs8 -topk8 -nocrypt"), message);
        assertFalse(message.contains(pkcs1.lines().skip(1).findFirst().orElseThrow()), "no key material in the message");
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPL_KAFKA_SSL_CA_FILE", "OPL_KAFKA_SSL_CERTIFICATE_FILE", "OPL_KAFKA_SSL_KEY_FILE"})
    void aMissingFileIsNamedWithItsVariable(String variable) throws Exception {
        Map<String, String> env = ssl();
        TestCertificates.Issued client = CA.client("loader");
        env.put("OPL_KAFKA_SSL_CA_FILE", write("ca.crt", CA.caPem()));
        env.put("OPL_KAFKA_SSL_CERTIFICATE_FILE", write("tls.crt", client.certificatePem()));
        env.put("OPL_KAFKA_SSL_KEY_FILE", write("tls.key", client.privateKeyPem()));
        String absent = dir.resolve("not-mounted").toString();
        env.put(variable, absent);
        String message = error(env);
        assertTrue(message.startsWith(variable + " names " + absent + ", which cannot be read"), message);
        assertTrue(message.contains("mount the Secret key there or fix the path"), message);
    }

    @Test
    void aKeyInTheCertificateVariableIsRefused() throws Exception {
        Map<String, String> env = ssl();
        TestCertificates.Issued client = CA.client("loader");
        env.put("OPL_KAFKA_SSL_CERTIFICATE_FILE", write("swapped.crt", client.privateKeyPem()));
        env.put("OPL_KAFKA_SSL_KEY_FILE", write("swapped.key", client.certificatePem()));
        String message = error(env);
        assertTrue(message.startsWith("OPL_KAFKA_SSL_CERTIFICATE_FILE names ") && message.contains("no PEM 'CERTIFICATE' block"),
                message);
    }

    @Test
    void aBinaryTrustStoreIsRefusedAsNotPem() throws Exception {
        Map<String, String> env = ssl();
        Path der = dir.resolve("ca.p12");
        Files.write(der, new byte[] {0x30, (byte) 0x82, (byte) 0xff, (byte) 0xfe, 0x02, 0x01, 0x03});
        env.put("OPL_KAFKA_SSL_CA_FILE", der.toString());
        String message = error(env);
        assertTrue(message.startsWith("OPL_KAFKA_SSL_CA_FILE names ") && message.contains("no PEM 'CERTIFICATE' block"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAINTEXT", "SASL_PLAINTEXT"})
    void tlsFilesWithoutTlsAreRefusedRatherThanIgnored(String protocol) throws Exception {
        Map<String, String> env = LoaderConfigTest.minimal();
        env.put("OPL_KAFKA_SECURITY_PROTOCOL", protocol);
        env.put("OPL_KAFKA_SASL_USERNAME", "loader");
        env.put("OPL_KAFKA_SASL_PASSWORD", "secret");
        env.put("OPL_KAFKA_SSL_CA_FILE", write("ca.crt", CA.caPem()));
        String message = error(env);
        assertTrue(message.startsWith("OPL_KAFKA_SSL_CA_FILE is set but OPL_KAFKA_SECURITY_PROTOCOL is " + protocol), message);
        assertTrue(message.contains("set it to SSL or SASL_SSL"), message);
    }

    @Test
    void mutualTlsKeepsTheKeyOutOfEveryToString() throws Exception {
        Map<String, String> env = ssl();
        TestCertificates.Issued client = CA.client("loader");
        env.put("OPL_KAFKA_SSL_CERTIFICATE_FILE", write("tls.crt", client.certificatePem()));
        env.put("OPL_KAFKA_SSL_KEY_FILE", write("tls.key", client.privateKeyPem()));

        LoaderConfig config = LoaderConfig.from(new Environment(env));

        assertTrue(config.source().tls().mutual());
        assertEquals(client.privateKeyPem().strip(), config.source().tls().privateKey().orElseThrow());
        String keyBody = client.privateKeyPem().lines().skip(1).findFirst().orElseThrow();
        assertFalse(config.toString().contains(keyBody), config.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram-sha-512", "SCRAM-SHA-256", "plain"})
    void theSaslMechanismIsAcceptedInAnyCase(String mechanism) {
        Map<String, String> env = LoaderConfigTest.minimal();
        env.put("OPL_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("OPL_KAFKA_SASL_MECHANISM", mechanism);
        env.put("OPL_KAFKA_SASL_USERNAME", "loader");
        env.put("OPL_KAFKA_SASL_PASSWORD", "secret");
        assertEquals(mechanism.toUpperCase(java.util.Locale.ROOT),
                LoaderConfig.from(new Environment(env)).source().saslMechanism());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GSSAPI", "OAUTHBEARER", "SCRAM-SHA-1"})
    void aMechanismAPasswordIsNotEnoughForIsRefused(String mechanism) {
        Map<String, String> env = LoaderConfigTest.minimal();
        env.put("OPL_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("OPL_KAFKA_SASL_MECHANISM", mechanism);
        env.put("OPL_KAFKA_SASL_USERNAME", "loader");
        env.put("OPL_KAFKA_SASL_PASSWORD", "secret");
        String message = error(env);
        assertTrue(message.startsWith("OPL_KAFKA_SASL_MECHANISM='" + mechanism + "' is invalid"), message);
        assertTrue(message.contains("SCRAM-SHA-512"), message);
    }
}
