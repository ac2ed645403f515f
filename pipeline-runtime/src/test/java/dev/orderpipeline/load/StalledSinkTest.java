package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.metrics.MetricNames;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoadedRecords;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import dev.orderpipeline.warehouse.Warehouses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink that blocks instead of failing (here a PostgreSQL table locked by another session): the
 * loader pauses its partitions and keeps polling, so it stays in the group and reads no more than
 * about two batches; when the lock goes, it resumes and loads everything exactly once.
 */
@ExtendWith(KafkaExtension.class)
class StalledSinkTest {
    static final int BATCH = 500;
    static final long MAX_POLL_INTERVAL_MS = 3_000;

    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = new EmbeddedPostgres(dir.resolve("pg")).start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    @Test
    void aStalledWarehousePausesThePartitionsAndKeepsTheGroupMembership(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("stalled");
        kafka.createTopic(topic, 3);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            LoaderConfig config = config(kafka, topic, "STALLED");
            // The group drops a member that goes 3 s without polling: a loader blocked on its sink would be gone.
            Properties consumerProps = KafkaClientProperties.consumer(config.source(), BATCH);
            consumerProps.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(MAX_POLL_INTERVAL_MS));
            LoaderStatus status = new LoaderStatus();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Loader loader = new Loader(config, Warehouses.forSink(config.sink(), config.pipelineName()),
                    new KafkaConsumer<>(consumerProps), Optional.empty(), status,
                    new LoaderMetrics(registry, config.pipelineName(), topic, "postgres"));
            Thread thread = new Thread(loader, "stalled-sink-loader");
            thread.start();
            try {
                OrderTopics.produceOrders(kafka, topic, 300, 0, 0, 11, 0);
                await().atMost(Duration.ofSeconds(30)).until(() -> committed(status) == 300);
                Set<String> member = members(admin, config.source().groupId());
                assertEquals(1, member.size(), "one loader in the group");

                try (Connection lock = pg.connect(); Statement s = lock.createStatement()) {
                    lock.setAutoCommit(false);
                    s.execute("LOCK TABLE \"STALLED\" IN ACCESS EXCLUSIVE MODE");
                    OrderTopics.produceOrders(kafka, topic, 3_000, 0, 0, 12, 0);

                    await().atMost(Duration.ofSeconds(20)).until(() -> status.snapshot().sinkStalledSince() != null);
                    Instant commitStarted = Instant.parse(status.snapshot().sinkStalledSince());
                    // Stay stalled for twice the poll interval the group allows.
                    await().atMost(Duration.ofSeconds(20)).until(() ->
                            Duration.between(commitStarted, Instant.now()).toMillis() > 2 * MAX_POLL_INTERVAL_MS);

                    LoaderStatus.Snapshot stalled = status.snapshot();
                    assertEquals(List.of(0, 1, 2), stalled.pausedPartitions(), "every partition paused: " + stalled);
                    assertEquals(commitStarted.toString(), stalled.sinkStalledSince(), "still the same commit");
                    assertEquals(LoaderState.STALLED, stalled.state(), "what /status says: " + stalled);
                    assertTrue(stalled.waitingFor().contains("not returned yet"), stalled.toString());
                    assertEquals(member, members(admin, config.source().groupId()), "still the same member of the group");
                    assertEquals(300, committed(status));
                    // Read: the first 300, the batch in flight and the next one, each at most one poll past its limit.
                    assertTrue(stalled.recordsConsumed() <= 300 + 2 * (2 * BATCH), "bounded reading while stalled: " + stalled);
                    JsonNode json = new ObjectMapper().valueToTree(stalled); // what /status serves
                    assertEquals(3, json.get("pausedPartitions").size(), json.toString());
                    assertEquals(commitStarted.toString(), json.get("sinkStalledSince").asText());
                    assertEquals(3.0, registry.get(MetricNames.PARTITIONS_PAUSED).gauge().value(), "the gauge a monitor watches");

                    lock.rollback(); // the stall ends
                }

                await().atMost(Duration.ofSeconds(30)).until(() -> committed(status) == 3_300);
                await().atMost(Duration.ofSeconds(10)).until(() -> status.snapshot().pausedPartitions().isEmpty());
                assertNull(status.snapshot().sinkStalledSince());
                assertNull(status.snapshot().waitingFor());
                assertEquals(0.0, registry.get(MetricNames.PARTITIONS_PAUSED).gauge().value());
                assertEquals(member, members(admin, config.source().groupId()), "no rebalance after the stall either");
            } finally {
                loader.stop();
                thread.join(30_000);
            }
            assertTrue(!thread.isAlive(), "the loader stopped");
            LoadedRecords.assertEachOnce(pg, "STALLED", 3_300);
        }
    }

    @Test
    void aStalledLoaderGoesOnWhenTheCommitItWaitsOnReturnsNotAtItsNextPoll(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("resumed");
        kafka.createTopic(topic, 3);
        LoaderConfig config = config(kafka, topic, "RESUMED");
        LoaderStatus status = new LoaderStatus();
        // Paced at ten minutes: a loop that learnt of the returned commit only when it next polled would sit out the
        // ten minutes after every stall (this test's stalls last seconds, well within the group's poll interval).
        Loader loader = new Loader(config, Warehouses.forSink(config.sink(), config.pipelineName()),
                new KafkaConsumer<>(KafkaClientProperties.consumer(config.source(), BATCH)), Optional.empty(), status,
                new LoaderMetrics(new SimpleMeterRegistry(), config.pipelineName(), topic, "postgres"), Duration.ofMinutes(10));
        Thread thread = new Thread(loader, "resumed-sink-loader");
        thread.start();
        try {
            OrderTopics.produceOrders(kafka, topic, 300, 0, 0, 13, 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(status) == 300);
            try (Connection lock = pg.connect(); Statement s = lock.createStatement()) {
                lock.setAutoCommit(false);
                s.execute("LOCK TABLE \"RESUMED\" IN ACCESS EXCLUSIVE MODE");
                OrderTopics.produceOrders(kafka, topic, 3_000, 0, 0, 14, 0);
                await().atMost(Duration.ofSeconds(20)).until(() -> status.snapshot().state() == LoaderState.STALLED);
                lock.rollback();
            }
            // Six more batches at least, each gathered while the one before it commits: a stall at nearly every one.
            await().atMost(Duration.ofSeconds(60)).until(() -> committed(status) == 3_300);
        } finally {
            loader.stop();
            thread.join(30_000);
        }
        assertTrue(!thread.isAlive(), "the loader stopped");
        LoadedRecords.assertEachOnce(pg, "RESUMED", 3_300);
    }

    /** Append-only, so that a record loaded twice would show as a second row. */
    private static LoaderConfig config(EmbeddedKafka kafka, String topic, String table) {
        Map<String, String> env = new HashMap<>(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("unused.duckdb"), ""));
        env.putAll(LoaderEnv.postgresTarget(pg, "unused"));
        env.put(Setting.SINK_TYPE.envName(), "postgres");
        env.put(Setting.SINK_TABLE.envName(), table);
        env.put(Setting.BATCH_MAX_RECORDS.envName(), Integer.toString(BATCH));
        return LoaderConfig.from(new Environment(env));
    }

    private static long committed(LoaderStatus status) {
        return status.snapshot().committedOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    private static Set<String> members(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members().stream()
                .map(MemberDescription::consumerId).collect(Collectors.toSet());
    }
}
