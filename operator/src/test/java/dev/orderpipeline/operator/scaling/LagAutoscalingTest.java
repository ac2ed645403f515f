package dev.orderpipeline.operator.scaling;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.ScalingSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lag autoscaling against a real Kafka broker (KRaft, in-process) and the real operator on the mock API
 * server. Nobody consumes the topic: the lag is whatever the test produces, and it is drained by
 * committing the group's offsets with the Admin client, as a loader would after its warehouse commit.
 */
class LagAutoscalingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PARTITIONS = 4;
    private static EmbeddedKafka kafka;
    private static OperatorHarness harness;
    private static KubernetesClient client;
    private String namespace;
    private String topic;

    @BeforeAll
    static void startKafkaAndOperator() {
        kafka = EmbeddedKafka.start();
        harness = OperatorHarness.start();
        client = harness.client();
    }

    @AfterAll
    static void stop() {
        harness.close();
        kafka.close();
    }

    @BeforeEach
    void freshNamespaceAndTopic() {
        namespace = harness.newNamespace("lag");
        // Lag scaling needs a sink that takes several loaders (a DuckDB file has one writer): Snowflake's Secrets.
        TestPipelines.secrets(namespace).forEach(secret -> client.resource(secret).create());
        topic = "orders-" + namespace;
        kafka.createTopic(topic, PARTITIONS);
    }

    @Test
    void lagRaisesTheLoadersAtOnceCappedAtPartitionsAndDrainingLowersThemOnlyAfterTheWindow() throws Exception {
        client.resource(pipeline(namespace, "orders", lagSpec(kafka.bootstrapServers(), topic, "4s"))).create();
        OrderPipeline idle = awaitStatus(p -> Integer.valueOf(PARTITIONS).equals(p.getStatus().partitions()));
        assertEquals(0L, idle.getStatus().consumerLag());
        assertEquals(1, idle.getStatus().desiredReplicas(), "no lag: minReplicas");
        assertEquals("True", condition(idle, ConditionType.SourceReachable).getStatus());

        produce(topic, 1000);

        // ceil(1000 / 100) = 10 loaders wanted, but only 4 partitions can be consumed in parallel.
        OrderPipeline scaledUp = awaitStatus(p -> Long.valueOf(1000).equals(p.getStatus().consumerLag()));
        assertEquals(PARTITIONS, scaledUp.getStatus().desiredReplicas());
        await().atMost(WAIT).until(() -> deployment().getSpec().getReplicas() == PARTITIONS);
        await().atMost(WAIT).until(() -> eventMessages("Scaled").stream().anyMatch(m -> m.contains("from 1 to 4")));

        long drainedAt = System.nanoTime();
        commitGroupToEnd(namespace + ".orders", topic);
        OrderPipeline drained = awaitStatus(p -> Long.valueOf(0).equals(p.getStatus().consumerLag()));

        // The lag is gone, but the loaders stay for the stabilisation window (measured, not slept: on a busy
        // machine only the lower bound is meaningful).
        assertEquals(PARTITIONS, drained.getStatus().desiredReplicas(), "no scale-down the moment lag is gone");
        assertEquals(PARTITIONS, deployment().getSpec().getReplicas());
        awaitStatus(p -> Integer.valueOf(1).equals(p.getStatus().desiredReplicas()));
        long fellAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainedAt);
        // The last reading with lag predates the drain by up to one poll interval (500 ms in the harness, more on a
        // loaded machine), so the fall is due 4 s after that reading; without the window it would come within a
        // poll or two of the drain.
        assertTrue(fellAfterMillis >= 3000, "fell after " + fellAfterMillis + " ms, inside the 4 s window");
        await().atMost(WAIT).until(() -> deployment().getSpec().getReplicas() == 1);
        await().atMost(WAIT).until(() -> eventMessages("Scaled").stream().anyMatch(m -> m.contains("from 4 to 1")));
    }

    @Test
    void aPipelineCreatedOverAGroupThatAlreadyHasOffsetsWarnsOnceThatItResumesRatherThanReloads() throws Exception {
        produce(topic, 100);
        // What a deleted pipeline of the same name left behind: its loaders' committed offsets.
        commitGroupToEnd(namespace + ".orders", topic);
        client.resource(pipeline(namespace, "orders", lagSpec(kafka.bootstrapServers(), topic, "30s"))).create();

        await().atMost(WAIT).until(() -> !eventMessages("ResumingStoredOffsets").isEmpty());
        String message = eventMessages("ResumingStoredOffsets").get(0);
        assertTrue(message.contains(namespace + ".orders") && message.contains(PARTITIONS + " of " + PARTITIONS)
                && message.contains("ORDERPIPELINE_OFFSETS"), message);
        awaitStatus(p -> "True".equals(condition(p, ConditionType.SourceReachable).getStatus()));
        Thread.sleep(1500);
        assertEquals(1, eventMessages("ResumingStoredOffsets").size(), "said once, not on every reading");
    }

    @Test
    void aNewPipelineOverAFreshGroupDoesNotWarnAboutStoredOffsets() throws Exception {
        client.resource(pipeline(namespace, "orders", lagSpec(kafka.bootstrapServers(), topic, "30s"))).create();
        awaitStatus(p -> Integer.valueOf(PARTITIONS).equals(p.getStatus().partitions()));
        Thread.sleep(1500);
        assertTrue(eventMessages("ResumingStoredOffsets").isEmpty(), eventMessages("ResumingStoredOffsets").toString());
    }

    @Test
    void lagThatDipsAndReturnsWithinTheWindowDoesNotRemoveLoaders() throws Exception {
        client.resource(pipeline(namespace, "orders", lagSpec(kafka.bootstrapServers(), topic, "30s"))).create();
        produce(topic, 250);
        awaitStatus(p -> Integer.valueOf(3).equals(p.getStatus().desiredReplicas()));

        commitGroupToEnd(namespace + ".orders", topic);
        awaitStatus(p -> Long.valueOf(0).equals(p.getStatus().consumerLag()));
        produce(topic, 150);
        awaitStatus(p -> Long.valueOf(150).equals(p.getStatus().consumerLag()));

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> pipelineNow().getStatus().desiredReplicas() == 3);
        List<String> scaled = eventMessages("Scaled");
        assertTrue(scaled.stream().noneMatch(m -> m.contains("from 3 to")), "no scaling back and forth: " + scaled);
    }

    @Test
    void manualModeFollowsKubectlScaleButNeverExceedsThePartitions() {
        OrderPipelineSpec manual = withScaling(lagSpec(kafka.bootstrapServers(), topic, "3s"),
                new ScalingSpec(ScalingSpec.Mode.MANUAL, 2, 1, 10, null, null));
        client.resource(pipeline(namespace, "orders", manual)).create();
        await().atMost(WAIT).until(() -> deployment() != null && deployment().getSpec().getReplicas() == 2);

        // kubectl scale opl/orders --replicas=3 writes .spec.scaling.replicas through the scale subresource.
        scaleTo(3);
        await().atMost(WAIT).until(() -> deployment().getSpec().getReplicas() == 3);
        awaitStatus(p -> Integer.valueOf(3).equals(p.getStatus().desiredReplicas()));

        scaleTo(8);
        awaitStatus(p -> Integer.valueOf(PARTITIONS).equals(p.getStatus().desiredReplicas()));
        assertEquals(PARTITIONS, deployment().getSpec().getReplicas());
    }

    @Test
    void manualReplicasStayCappedAtTheLastKnownPartitionsWhileKafkaDoesNotAnswer() throws InterruptedException {
        OrderPipelineSpec manual = withScaling(lagSpec(kafka.bootstrapServers(), topic, "3s"),
                new ScalingSpec(ScalingSpec.Mode.MANUAL, 8, 1, 10, null, null));
        client.resource(pipeline(namespace, "orders", manual)).create();
        awaitStatus(p -> Integer.valueOf(PARTITIONS).equals(p.getStatus().partitions())
                && Integer.valueOf(PARTITIONS).equals(p.getStatus().desiredReplicas()));
        await().atMost(WAIT).until(() -> deployment().getSpec().getReplicas() == PARTITIONS);

        // The operator's own probe fails from now on (nothing listens on port 1; the broker itself is shared by
        // the other tests): the cap stays at the partitions last read, no flap up to the 8 asked for and back.
        edit(p -> {
            SourceSpec s = p.getSpec().source();
            p.setSpec(new OrderPipelineSpec(new SourceSpec("127.0.0.1:1", s.topic(), s.consumerGroup(), s.format(),
                    s.keyFormat(), s.schemaRegistry(), s.startPosition(), s.offsetReset(), s.security()),
                    p.getSpec().sink(), p.getSpec().batch(),
                    p.getSpec().scaling(), p.getSpec().deadLetter(), p.getSpec().dbt(), p.getSpec().monitoring(),
                    p.getSpec().state()));
            return p;
        });
        awaitStatus(p -> Long.valueOf(2).equals(p.getStatus().observedGeneration()) && Conditions.find(p.getStatus().conditions(),
                ConditionType.SourceReachable).filter(c -> "False".equals(c.getStatus())).isPresent());
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // six polls at 500 ms
        while (System.nanoTime() < until) {
            assertEquals(PARTITIONS, deployment().getSpec().getReplicas(), "the cap was lifted while Kafka was away");
            OrderPipeline now = pipelineNow();
            assertEquals(PARTITIONS, now.getStatus().partitions(), "the last known partitions are kept");
            assertEquals(PARTITIONS, now.getStatus().desiredReplicas());
            Thread.sleep(100);
        }
    }

    @Test
    void unreachableBootstrapServersReportSourceReachableFalseQuicklyAndLeaveTheLoadersRunning() {
        // Nothing listens on port 1: connections are refused.
        client.resource(pipeline(namespace, "orders", lagSpec("127.0.0.1:1", topic, "3s"))).create();

        OrderPipeline reported = awaitStatus(p -> Conditions.find(p.getStatus().conditions(),
                ConditionType.SourceReachable).isPresent());
        Condition reachable = condition(reported, ConditionType.SourceReachable);
        assertEquals("False", reachable.getStatus());
        assertEquals(SourceReading.UNREACHABLE, reachable.getReason());
        assertTrue(reachable.getMessage().contains("spec.source.bootstrapServers"), reachable.getMessage());
        assertNotEquals("Stalled", reported.getStatus().phase());
        assertEquals(1, deployment().getSpec().getReplicas(), "minReplicas while the lag is unknown");
        assertEquals(null, reported.getStatus().consumerLag());
        await().atMost(WAIT).until(() -> !eventMessages(SourceReading.UNREACHABLE).isEmpty());
    }

    @Test
    void aMissingTopicIsReportedNamingTheField() {
        client.resource(pipeline(namespace, "orders", lagSpec(kafka.bootstrapServers(), "no-such-topic", "3s"))).create();

        OrderPipeline reported = awaitStatus(p -> Conditions.find(p.getStatus().conditions(),
                ConditionType.SourceReachable).filter(c -> "False".equals(c.getStatus())).isPresent());
        Condition reachable = condition(reported, ConditionType.SourceReachable);
        assertEquals(SourceReading.TOPIC_NOT_FOUND, reachable.getReason());
        assertTrue(reachable.getMessage().contains("spec.source.topic"), reachable.getMessage());
    }

    // --- helpers ---

    static OrderPipelineSpec lagSpec(String bootstrap, String topic, String window) {
        return new OrderPipelineSpec(
                new SourceSpec(bootstrap, topic, null, SourceSpec.Format.JSON, SourceSpec.StartPosition.EARLIEST, null, null),
                TestPipelines.snowflakeSpec().sink(),
                null,
                new ScalingSpec(ScalingSpec.Mode.LAG, null, 1, 10, 100L, window),
                null, null, null, PipelineState.RUNNING);
    }

    private static OrderPipelineSpec withScaling(OrderPipelineSpec s, ScalingSpec scaling) {
        return new OrderPipelineSpec(s.source(), s.sink(), s.batch(), scaling, s.deadLetter(), s.dbt(), s.monitoring(),
                s.state());
    }

    private void scaleTo(int replicas) {
        edit(p -> {
            ScalingSpec s = p.getSpec().scaling();
            p.setSpec(withScaling(p.getSpec(), new ScalingSpec(s.mode(), replicas, s.minReplicas(), s.maxReplicas(),
                    s.lagPerReplica(), s.scaleDownStabilization())));
            return p;
        });
    }

    private void edit(UnaryOperator<OrderPipeline> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").edit(change);
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static void produce(String topic, int records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < records; i++) {
                byte[] value = ("{\"orderid\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, value));
            }
            producer.flush();
        }
    }

    /** What a loader does after its warehouse commit: the group's Kafka offsets move to the end. */
    private static void commitGroupToEnd(String group, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(group, offsets).all().get(30, TimeUnit.SECONDS);
        }
    }

    private OrderPipeline awaitStatus(Predicate<OrderPipeline> condition) {
        await().atMost(WAIT).until(() -> {
            OrderPipeline p = pipelineNow();
            return p != null && p.getStatus() != null && condition.test(p);
        });
        return pipelineNow();
    }

    private OrderPipeline pipelineNow() {
        return client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").get();
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace(namespace).withName("orders-loader").get();
    }

    private List<String> eventMessages(String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).map(Event::getMessage).toList();
    }

    private static Condition condition(OrderPipeline pipeline, ConditionType type) {
        return Conditions.find(pipeline.getStatus().conditions(), type)
                .orElseThrow(() -> new AssertionError(type + " condition missing"));
    }
}
