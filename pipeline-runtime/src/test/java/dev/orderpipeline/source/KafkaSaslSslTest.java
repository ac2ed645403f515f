package dev.orderpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRAM-SHA-512 over TLS to a broker whose certificate comes from a private CA, the client trusting that CA
 * through OPL_KAFKA_SSL_CA_FILE only (no client certificate): a Strimzi listener with {@code tls: true} and
 * {@code authentication: scram-sha-512}.
 */
class KafkaSaslSslTest {
    private static final TestCertificates CA = TestCertificates.authority("orders-cluster-ca");
    private static final String USER = "orders-loader";
    private static final String PASSWORD = "scram-over-tls";

    private static SecuredKafka kafka;

    @TempDir
    static Path files;

    @BeforeAll
    static void startBrokerWithScramOverTls() {
        TestCertificates.Issued broker = CA.broker();
        kafka = SecuredKafka.start(SecurityProtocol.SASL_SSL, Map.of(
                "ssl.keystore.type", "PEM",
                "ssl.keystore.certificate.chain", broker.certificatePem(),
                "ssl.keystore.key", broker.privateKeyPem(),
                "sasl.enabled.mechanisms", "SCRAM-SHA-512",
                "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;"));
        kafka.upsertScramUser(USER, PASSWORD, ScramMechanism.SCRAM_SHA_512);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, String> env(String topic) {
        Map<String, String> env = LoaderEnv.duckdb(kafka.securedBootstrapServers(), topic, files.resolve("unused.duckdb"), "");
        env.put(Setting.KAFKA_SECURITY_PROTOCOL.envName(), "SASL_SSL");
        env.put(Setting.KAFKA_SASL_MECHANISM.envName(), "SCRAM-SHA-512");
        env.put(Setting.KAFKA_SASL_USERNAME.envName(), USER);
        env.put(Setting.KAFKA_SASL_PASSWORD.envName(), PASSWORD);
        return env;
    }

    private static KafkaSourceConfig source(Map<String, String> env) {
        return LoaderConfig.from(new Environment(env)).source();
    }

    @Test
    void aLoaderTrustingTheClusterCaAuthenticatesWithScramAndReadsRecords() {
        String topic = SharedKafka.uniqueTopic("sasl-ssl");
        kafka.createTopic(topic);
        Map<String, String> env = env(topic);
        env.put(Setting.KAFKA_SSL_CA_FILE.envName(), CA.writeCa(files.resolve("ca.crt")).toString());
        KafkaSourceConfig source = source(env);
        assertFalse(source.tls().mutual());
        SecuredKafka.awaitAuthentication(source);
        List<String> orders = List.of("{\"id\":1}", "{\"id\":2}");

        SecuredKafka.produce(source, orders);

        assertEquals(orders.stream().sorted().toList(), SecuredKafka.read(source, orders.size()).stream().sorted().toList());
    }

    @Test
    void withoutTheCaFileTheJvmTrustStoreRefusesAPrivateCaBroker() {
        String topic = SharedKafka.uniqueTopic("sasl-ssl-untrusted");
        kafka.createTopic(topic);

        RuntimeException failure = SecuredKafka.pollFailure(source(env(topic)));

        assertInstanceOf(SslAuthenticationException.class, failure);
    }
}
