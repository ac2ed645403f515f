package dev.orderpipeline.source;

import dev.orderpipeline.config.KafkaSourceConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.awaitility.Awaitility;

/**
 * A real one-node KRaft cluster (Kafka's test kit) with one secured listener, {@code SECURE}, next to
 * the kit's own plaintext listeners, which the test uses only to create topics and SCRAM users.
 *
 * <p>The secured listener is configured with {@code listener.name.secure.*} broker settings only: no
 * JAAS file and no {@code java.security.auth.login.config} system property (the kit writes one for its
 * SASL_PLAINTEXT mode), so nothing global changes for the other tests in the JVM.
 */
final class SecuredKafka implements AutoCloseable {
    static final String LISTENER = "SECURE";

    private final KafkaClusterTestKit cluster;

    private SecuredKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts the cluster; {@code listenerSettings} are broker settings for the secured listener, without prefix. */
    static SecuredKafka start(SecurityProtocol protocol, Map<String, String> listenerSettings) {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        String plain = nodes.brokerListenerName().value();
        String controller = nodes.controllerListenerName().value();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                // The kit binds its own listeners by name (the port here is ignored); SECURE gets a free port.
                .setConfigProp("listeners", plain + "://localhost:0," + controller + "://localhost:0," + LISTENER + "://localhost:0")
                .setConfigProp("listener.security.protocol.map",
                        plain + ":PLAINTEXT," + controller + ":PLAINTEXT," + LISTENER + ":" + protocol.name)
                // One broker: internal topics cannot have more replicas, or groups never find a coordinator.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("group.min.session.timeout.ms", "1000")
                .setConfigProp("auto.create.topics.enable", "false");
        String prefix = "listener.name." + LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        listenerSettings.forEach((key, value) -> builder.setConfigProp(prefix + key, value));
        KafkaClusterTestKit cluster = null;
        try {
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new SecuredKafka(cluster);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IllegalStateException("the Kafka broker with a " + protocol + " listener did not start: " + e, e);
        }
    }

    /** The secured listener, as a loader's OPL_KAFKA_BOOTSTRAP_SERVERS. */
    String securedBootstrapServers() {
        int port = cluster.brokers().values().iterator().next().boundPort(new ListenerName(LISTENER));
        return "localhost:" + port;
    }

    /** An admin client on the unsecured listener: the cluster operator's side of the test. */
    Admin plaintextAdmin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        return Admin.create(p);
    }

    void createTopic(String topic) {
        try (Admin admin = plaintextAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e, e);
        }
    }

    /** Creates or updates a SCRAM user through the Admin API, as Strimzi's User Operator does. */
    void upsertScramUser(String user, String password, ScramMechanism... mechanisms) {
        try (Admin admin = plaintextAdmin()) {
            // One request may not alter the same user twice: one per mechanism.
            for (ScramMechanism mechanism : mechanisms) {
                admin.alterUserScramCredentials(List.of(
                        new UserScramCredentialUpsertion(user, new ScramCredentialInfo(mechanism, 4096), password)))
                        .all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create SCRAM user " + user + ": " + e, e);
        }
    }

    /** The controller has stored a credential; the broker learns it from the metadata log a moment later. */
    static void awaitAuthentication(KafkaSourceConfig source) {
        Awaitility.await("the broker accepts the loader's credentials").atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(java.util.concurrent.ExecutionException.class)
                .until(() -> {
                    try (Admin admin = Admin.create(KafkaClientProperties.admin(source))) {
                        return admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS) != null;
                    }
                });
    }

    /** Produces {@code values} with the loader's own producer settings (as its dead-letter producer does). */
    static void produce(KafkaSourceConfig source, List<String> values) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientProperties.producer(source))) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(source.topic(), value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /**
     * Reads {@code count} records from the source topic with the loader's consumer settings, in its consumer
     * group; like the loader, it positions each assigned partition itself (here: at the beginning).
     */
    static List<String> read(KafkaSourceConfig source, int count) {
        List<String> values = new ArrayList<>();
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(60));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.consumer(source, 100))) {
            consumer.subscribe(List.of(source.topic()), seekToBeginning(consumer));
            while (values.size() < count && Instant.now().isBefore(giveUp)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** What polling with the loader's consumer settings throws; null if it kept polling for 30 s without an error. */
    static RuntimeException pollFailure(KafkaSourceConfig source) {
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(30));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.consumer(source, 100))) {
            consumer.subscribe(List.of(source.topic()), seekToBeginning(consumer));
            while (Instant.now().isBefore(giveUp)) {
                try {
                    consumer.poll(Duration.ofMillis(200));
                } catch (RuntimeException e) {
                    return e;
                }
            }
        }
        return null;
    }

    private static ConsumerRebalanceListener seekToBeginning(KafkaConsumer<byte[], byte[]> consumer) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                consumer.seekToBeginning(partitions);
            }
        };
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("the Kafka broker did not stop cleanly", e);
        }
    }
}
