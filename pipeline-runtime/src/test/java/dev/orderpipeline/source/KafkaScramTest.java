package dev.orderpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The loader's SASL settings against a real broker's SASL_PLAINTEXT listener with SCRAM-SHA-256, SCRAM-SHA-512
 * (users created through the Admin API, as Strimzi's User Operator does) and PLAIN.
 */
class KafkaScramTest {
    private static final String USER = "orders-loader";
    /** Quotes and a backslash: the JAAS line the loader builds must escape them. */
    private static final String PASSWORD = "p\"a\\ss word";
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required;";

    private static SecuredKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrokerWithScramUser() {
        kafka = SecuredKafka.start(SecurityProtocol.SASL_PLAINTEXT, Map.of(
                "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                // PLAIN's users live in the broker's own JAAS line (as in a Confluent-style setup).
                "plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\""
                        + PASSWORD.replace("\\", "\\\\").replace("\"", "\\\"") + "\";",
                "scram-sha-256.sasl.jaas.config", SCRAM_LOGIN,
                "scram-sha-512.sasl.jaas.config", SCRAM_LOGIN));
        kafka.upsertScramUser(USER, PASSWORD, ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private KafkaSourceConfig source(String mechanism, String password, String topic) {
        Map<String, String> env = LoaderEnv.duckdb(kafka.securedBootstrapServers(), topic, dir.resolve("unused.duckdb"), "");
        env.put(Setting.KAFKA_SECURITY_PROTOCOL.envName(), "SASL_PLAINTEXT");
        env.put(Setting.KAFKA_SASL_MECHANISM.envName(), mechanism);
        env.put(Setting.KAFKA_SASL_USERNAME.envName(), USER);
        env.put(Setting.KAFKA_SASL_PASSWORD.envName(), password);
        return LoaderConfig.from(new Environment(env)).source();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"})
    void aLoaderWithSaslCredentialsProducesAndReadsRecordsInItsConsumerGroup(String mechanism) {
        String topic = SharedKafka.uniqueTopic("scram");
        kafka.createTopic(topic);
        KafkaSourceConfig source = source(mechanism, PASSWORD, topic);
        SecuredKafka.awaitAuthentication(source);
        List<String> orders = List.of("{\"id\":1}", "{\"id\":2}", "{\"id\":3}", "{\"id\":4}");

        SecuredKafka.produce(source, orders);

        assertEquals(orders.stream().sorted().toList(), SecuredKafka.read(source, orders.size()).stream().sorted().toList());
    }

    @Test
    void aWrongPasswordFailsWithAnAuthenticationErrorInsteadOfRetryingForever() {
        String topic = SharedKafka.uniqueTopic("scram-denied");
        kafka.createTopic(topic);
        SecuredKafka.awaitAuthentication(source("SCRAM-SHA-512", PASSWORD, topic));

        RuntimeException failure = SecuredKafka.pollFailure(source("SCRAM-SHA-512", "not-the-password", topic));

        assertInstanceOf(SaslAuthenticationException.class, failure);
    }
}
