package dev.orderpipeline.operator.scaling;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.reconciler.OrderPipelineReconciler;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka Admin clients are shared by the pipelines that reach one cluster the same way: a real broker (KRaft,
 * in-process), the real operator on the mock API server. Each client has one network thread, named after
 * the client ({@code kafka-admin-client-thread | orderpipeline-operator-N}): counting those threads shows
 * what the operator holds open.
 */
class SharedKafkaClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ADMIN_THREAD = "kafka-admin-client-thread | " + KafkaAdminPool.CLIENT_ID_PREFIX;
    private static final java.util.concurrent.atomic.AtomicInteger TOPICS = new java.util.concurrent.atomic.AtomicInteger();
    private static EmbeddedKafka kafka;
    private OperatorHarness harness;
    private KubernetesClient client;
    private OrderPipelineReconciler reconciler;
    private String namespace;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void startOperator() {
        harness = OperatorHarness.start();
        client = harness.client();
        reconciler = harness.orderPipelineReconciler();
        namespace = harness.newNamespace("shared");
        TestPipelines.secrets(namespace).forEach(secret -> client.resource(secret).create());
    }

    @AfterEach
    void stopOperator() {
        harness.close();
    }

    @Test
    void manyPipelinesOnOneClusterShareOneClientAndItsThreadAndDeletingThemAllClosesIt() {
        // Threads are told apart by identity, not counted: a client of an earlier test may still be ending.
        Set<Thread> before = adminThreads();
        create("orders-0", kafka.bootstrapServers(), "topic-0");
        awaitRead("orders-0");
        assertEquals(1, reconciler.openKafkaClients());
        Set<Thread> opened = newSince(before);
        assertEquals(1, opened.size(), "one network thread for the first pipeline's client: " + opened);

        for (int i = 1; i < 8; i++) {
            create("orders-" + i, kafka.bootstrapServers(), "topic-" + i);
        }
        for (int i = 1; i < 8; i++) {
            awaitRead("orders-" + i);
        }
        assertEquals(1, reconciler.openKafkaClients(), "eight pipelines on one cluster, one client");
        assertEquals(opened, newSince(before), "no thread per pipeline");
        assertEquals(1, reconciler.kafkaClientsOpened());

        for (int i = 0; i < 7; i++) {
            delete("orders-" + i);
        }
        await().atMost(WAIT).until(() -> pipelineNow("orders-6") == null);
        // Not closed while one pipeline still uses it.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> reconciler.openKafkaClients() == 1);
        awaitRead("orders-7");

        delete("orders-7");
        await().atMost(WAIT).until(() -> reconciler.openKafkaClients() == 0);
        await().atMost(WAIT).until(() -> newSince(before).isEmpty());
    }

    @Test
    void aReconcileOfADeletedPipelineThatStartsAfterTheDeletionTakesNoClient() {
        String topic = "late-" + TOPICS.incrementAndGet();
        kafka.createTopic(topic, 1);
        OrderPipeline asItWas = pipeline(namespace, "late", LagAutoscalingTest.lagSpec(kafka.bootstrapServers(), topic, "30s"));
        asItWas.getMetadata().setUid("uid-of-the-deleted-one");
        try (SourceProbes probes = new SourceProbes(Clock.systemUTC(), Duration.ofSeconds(30), Duration.ofSeconds(10))) {
            probes.read(asItWas, client, Map.of());
            assertEquals(1, probes.openClients());

            probes.forget(ResourceID.fromResource(asItWas), "uid-of-the-deleted-one");
            assertEquals(0, probes.openClients());
            // A reconcile already queued runs with the object as it was before the deletion.
            probes.read(asItWas, client, Map.of());
            assertEquals(0, probes.openClients(), "no client held for a pipeline that is gone");

            OrderPipeline recreated = pipeline(namespace, "late", LagAutoscalingTest.lagSpec(kafka.bootstrapServers(), topic, "30s"));
            recreated.getMetadata().setUid("uid-of-the-new-one");
            probes.read(recreated, client, Map.of());
            assertEquals(1, probes.openClients(), "the same name created again is another pipeline");
        }
    }

    @Test
    void twoBootstrapAddressesAreTwoClients() {
        create("by-name", kafka.bootstrapServers(), "topic-a");
        // The same broker under another address is, to the operator, another cluster: another client.
        create("by-address", kafka.bootstrapServers().replace("localhost", "127.0.0.1"), "topic-b");
        awaitRead("by-name");
        awaitRead("by-address");

        assertEquals(2, reconciler.openKafkaClients());
        delete("by-address");
        await().atMost(WAIT).until(() -> reconciler.openKafkaClients() == 1);
    }

    @Test
    void aPipelineMovedToAnotherClusterLetsGoOfItsOldClient() {
        create("mover", kafka.bootstrapServers(), "topic-a");
        awaitRead("mover");
        assertEquals(1, reconciler.kafkaClientsOpened());

        String other = kafka.bootstrapServers().replace("localhost", "127.0.0.1");
        edit("mover", p -> p.setSpec(withSource(p.getSpec(), other, p.getSpec().source().security())));

        await().atMost(WAIT).until(() -> reconciler.kafkaClientsOpened() == 2);
        await().atMost(WAIT).until(() -> reconciler.openKafkaClients() == 1);
    }

    @Test
    void aRotatedCredentialOpensANewClientAndClosesTheOldOne() {
        // SASL towards a PLAINTEXT listener: the reading fails, but the client is built from the Secret all the same.
        KafkaSecuritySpec sasl = new KafkaSecuritySpec(KafkaSecuritySpec.Protocol.SASL_PLAINTEXT,
                KafkaSecuritySpec.SaslMechanism.PLAIN,
                new SecretKeyReference(TestPipelines.KAFKA_SECRET, "api-key"),
                new SecretKeyReference(TestPipelines.KAFKA_SECRET, "api-secret"));
        OrderPipelineSpec spec = withSource(LagAutoscalingTest.lagSpec(kafka.bootstrapServers(), "topic-a", "30s"),
                kafka.bootstrapServers(), sasl);
        client.resource(pipeline(namespace, "rotating", spec)).create();
        awaitStatus("rotating", p -> Conditions.find(p.getStatus().conditions(), ConditionType.SourceReachable).isPresent());
        assertEquals(1, reconciler.kafkaClientsOpened());
        assertEquals(1, reconciler.openKafkaClients());

        Secret secret = client.secrets().inNamespace(namespace).withName(TestPipelines.KAFKA_SECRET).get();
        secret.setData(null);
        secret.setStringData(Map.of("api-key", "ROTATEDKEY", "api-secret", "rotated-secret"));
        client.resource(secret).update();

        await().atMost(WAIT).until(() -> reconciler.kafkaClientsOpened() == 2);
        await().atMost(WAIT).until(() -> reconciler.openKafkaClients() == 1);
    }

    // --- helpers ---

    private void create(String name, String bootstrap, String topic) {
        // Each test has its own operator (and namespace counter) but the broker is shared: unique topic names.
        String unique = topic + "-" + TOPICS.incrementAndGet();
        kafka.createTopic(unique, 1);
        client.resource(pipeline(namespace, name, LagAutoscalingTest.lagSpec(bootstrap, unique, "30s"))).create();
    }

    private void delete(String name) {
        client.resources(OrderPipeline.class).inNamespace(namespace).withName(name).delete();
    }

    private void edit(String name, java.util.function.Consumer<OrderPipeline> change) {
        client.resources(OrderPipeline.class).inNamespace(namespace).withName(name).edit(p -> {
            change.accept(p);
            return p;
        });
    }

    private static OrderPipelineSpec withSource(OrderPipelineSpec s, String bootstrap, KafkaSecuritySpec security) {
        SourceSpec source = s.source();
        return new OrderPipelineSpec(new SourceSpec(bootstrap, source.topic(), source.consumerGroup(), source.format(),
                source.startPosition(), source.offsetReset(), security), s.sink(), s.batch(), s.scaling(),
                s.deadLetter(), s.dbt(), s.monitoring(), s.state());
    }

    /** Kafka was read for the pipeline: its topic's partitions are in the status. */
    private void awaitRead(String name) {
        awaitStatus(name, p -> p.getStatus().partitions() != null);
    }

    private void awaitStatus(String name, Predicate<OrderPipeline> condition) {
        await().atMost(WAIT).until(() -> {
            OrderPipeline p = pipelineNow(name);
            return p != null && p.getStatus() != null && condition.test(p);
        });
    }

    private OrderPipeline pipelineNow(String name) {
        return client.resources(OrderPipeline.class).inNamespace(namespace).withName(name).get();
    }

    private static Set<Thread> adminThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(ADMIN_THREAD))
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<Thread> newSince(Set<Thread> before) {
        Set<Thread> now = adminThreads();
        now.removeAll(before);
        return now;
    }
}
