package dev.orderpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.SharedKafka;
import dev.orderpipeline.testing.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's TLS settings against a real broker whose SSL listener has a certificate from a private CA
 * and requires a client certificate from the same CA (mutual TLS, as a Strimzi TLS listener with
 * {@code authentication: tls}). The loader gets PEM files, as mounted from Kubernetes Secrets.
 */
class KafkaMutualTlsTest {
    private static final TestCertificates CA = TestCertificates.authority("orders-cluster-ca");

    private static SecuredKafka kafka;

    @TempDir
    static Path files;

    @BeforeAll
    static void startBrokerRequiringClientCertificates() {
        TestCertificates.Issued broker = CA.broker();
        kafka = SecuredKafka.start(SecurityProtocol.SSL, Map.of(
                "ssl.keystore.type", "PEM",
                "ssl.keystore.certificate.chain", broker.certificatePem(),
                "ssl.keystore.key", broker.privateKeyPem(),
                "ssl.truststore.type", "PEM",
                "ssl.truststore.certificates", CA.caPem(),
                "ssl.client.auth", "required"));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, String> env(String topic) {
        Map<String, String> env = LoaderEnv.duckdb(kafka.securedBootstrapServers(), topic, files.resolve("unused.duckdb"), "");
        env.put(Setting.KAFKA_SECURITY_PROTOCOL.envName(), "SSL");
        return env;
    }

    private static KafkaSourceConfig source(Map<String, String> env) {
        return LoaderConfig.from(new Environment(env)).source();
    }

    private static void trust(Map<String, String> env, TestCertificates authority, String name) {
        env.put(Setting.KAFKA_SSL_CA_FILE.envName(), authority.writeCa(files.resolve(name + "-ca.crt")).toString());
    }

    private static void presentClientCertificate(Map<String, String> env, TestCertificates authority, String name) {
        Path[] written = authority.client("orders-loader").writeTo(files, name);
        env.put(Setting.KAFKA_SSL_CERTIFICATE_FILE.envName(), written[0].toString());
        env.put(Setting.KAFKA_SSL_KEY_FILE.envName(), written[1].toString());
    }

    @Test
    void aLoaderWithTheClusterCaAndAClientCertificateProducesAndReadsRecords() {
        String topic = SharedKafka.uniqueTopic("mtls");
        kafka.createTopic(topic);
        Map<String, String> env = env(topic);
        trust(env, CA, "mtls");
        presentClientCertificate(env, CA, "mtls-client");
        KafkaSourceConfig source = source(env);
        assertTrue(source.tls().mutual());
        List<String> orders = List.of("{\"id\":1}", "{\"id\":2}", "{\"id\":3}");

        SecuredKafka.produce(source, orders);

        assertEquals(orders.stream().sorted().toList(), SecuredKafka.read(source, orders.size()).stream().sorted().toList());
    }

    @Test
    void withoutAClientCertificateTheBrokerRefusesTheConnection() {
        String topic = SharedKafka.uniqueTopic("mtls-no-cert");
        kafka.createTopic(topic);
        Map<String, String> env = env(topic);
        trust(env, CA, "no-cert");

        RuntimeException failure = SecuredKafka.pollFailure(source(env));

        assertInstanceOf(SslAuthenticationException.class, failure);
    }

    @Test
    void aBrokerCertificateFromAnotherCaIsNotTrusted() {
        String topic = SharedKafka.uniqueTopic("mtls-other-ca");
        kafka.createTopic(topic);
        Map<String, String> env = env(topic);
        TestCertificates other = TestCertificates.authority("someone-elses-ca");
        trust(env, other, "other");
        presentClientCertificate(env, CA, "other-client");

        RuntimeException failure = SecuredKafka.pollFailure(source(env));

        assertInstanceOf(SslAuthenticationException.class, failure);
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() {
        String topic = SharedKafka.uniqueTopic("mtls-foreign-client");
        kafka.createTopic(topic);
        Map<String, String> env = env(topic);
        trust(env, CA, "foreign");
        presentClientCertificate(env, TestCertificates.authority("someone-elses-ca"), "foreign-client");

        RuntimeException failure = SecuredKafka.pollFailure(source(env));

        assertInstanceOf(SslAuthenticationException.class, failure);
    }
}
