package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.FreezingTcpProxy;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoadedRecords;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import dev.orderpipeline.warehouse.Warehouse;
import dev.orderpipeline.warehouse.Warehouses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse that hangs rather than fails (a lock held by another session, a socket that never
 * answers) during a commit, a revocation and the positioning of new partitions: the poll thread
 * never waits on it, so the loader stays in its group (same member, no eviction, with a group that
 * drops a member after a few seconds without a poll), {@code /status} says what it waits on, and
 * once the warehouse answers again every record is loaded exactly once.
 */
@ExtendWith(KafkaExtension.class)
class WarehouseHangTest {
    static final int BATCH = 500;
    static final long MAX_POLL_INTERVAL_MS = 4_000;

    @TempDir
    Path dir;

    @Test
    void aCommitOnASocketThatNeverAnswersKeepsTheLoaderInItsGroupThenTimesOutAndLoadsEverythingOnce(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("hung-socket");
        kafka.createTopic(topic, 2);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             FreezingTcpProxy proxy = new FreezingTcpProxy(pg.port());
             Admin admin = admin(kafka)) {
            Map<String, String> env = env(kafka, topic, pg, "HUNG_SOCKET");
            env.put(Setting.POSTGRES_PORT.envName(), Integer.toString(proxy.port()));
            env.put(Setting.SINK_STATEMENT_TIMEOUT.envName(), "3s");
            LoaderConfig config = LoaderConfig.from(new Environment(env));
            try (RunningLoader loader = new RunningLoader(config, "hung-socket-loader")) {
                OrderTopics.produceOrders(kafka, topic, 300, 0, 0, 21, 0);
                await().atMost(Duration.ofSeconds(60)).until(() -> loader.committed() == 300);
                String member = onlyMember(admin, config);

                proxy.freeze();
                OrderTopics.produceOrders(kafka, topic, 3_000, 0, 0, 22, 0);
                await().atMost(Duration.ofSeconds(30)).until(() -> loader.snapshot().state() == LoaderState.STALLED);
                LoaderStatus.Snapshot stalled = loader.snapshot();
                assertNotNull(stalled.sinkStalledSince(), stalled.toString());
                assertTrue(stalled.waitingFor().contains("commit"), stalled.toString());
                // Longer than the group allows between polls, then until the socket timeout fails the commit.
                stayMember(admin, config, member, Duration.ofMillis(2 * MAX_POLL_INTERVAL_MS));
                await().atMost(Duration.ofSeconds(60)).until(() -> loader.snapshot().lastError() != null
                        && loader.snapshot().waitingFor().contains("retried"));
                LoaderStatus.Snapshot failing = loader.snapshot();
                assertEquals(LoaderState.STALLED, failing.state(), failing.toString());
                assertTrue(failing.lastError().startsWith("committing a batch"), failing.toString());
                assertEquals(Set.of(member), members(admin, config).keySet(), "still the same member of the group");
                assertEquals(300, loader.committed());

                proxy.thaw();
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committed() == 3_300);
                assertEquals(Set.of(member), members(admin, config).keySet(), "no rebalance at any point");
            }
            assertLoadedExactlyOnce(pg, config, "HUNG_SOCKET", 3_300);
        }
    }

    @Test
    void aRevocationWhileACommitIsHeldHandsOverWithinThePollIntervalAndLoadsEverythingOnce(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("hung-handover");
        kafka.createTopic(topic, 4);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start(); Admin admin = admin(kafka)) {
            LoaderConfig config = LoaderConfig.from(new Environment(env(kafka, topic, pg, "HANDOVER")));
            try (RunningLoader first = new RunningLoader(config, "handover-first")) {
                OrderTopics.produceOrders(kafka, topic, 400, 0, 0, 31, 0);
                await().atMost(Duration.ofSeconds(60)).until(() -> first.committed() == 400);
                String firstMember = onlyMember(admin, config);

                try (Connection lock = pg.connect(); Statement s = lock.createStatement()) {
                    lock.setAutoCommit(false);
                    // Writes wait, reads do not: the second loader can open the table and join.
                    s.execute("LOCK TABLE \"HANDOVER\" IN EXCLUSIVE MODE");
                    OrderTopics.produceOrders(kafka, topic, 2_000, 0, 0, 32, 0);
                    await().atMost(Duration.ofSeconds(30)).until(() -> first.snapshot().state() == LoaderState.STALLED);

                    try (RunningLoader second = new RunningLoader(config, "handover-second")) {
                        // The first loader's partitions are revoked while its commit hangs on the lock.
                        await().atMost(Duration.ofSeconds(60)).until(() -> {
                            Map<String, Integer> members = members(admin, config);
                            return members.size() == 2 && members.values().stream().allMatch(n -> n > 0);
                        });
                        assertTrue(members(admin, config).containsKey(firstMember), "the first loader was never evicted");
                        stayMember(admin, config, firstMember, Duration.ofMillis(2 * MAX_POLL_INTERVAL_MS));
                        LoaderStatus.Snapshot stalled = first.snapshot();
                        assertEquals(LoaderState.STALLED, stalled.state(), stalled.toString());
                        assertNotNull(stalled.sinkStalledSince(), stalled.toString());
                        assertEquals(2, members(admin, config).size(), "both loaders still in the group");

                        lock.rollback();
                        await().atMost(Duration.ofMinutes(2)).until(() -> storedOffsetSum(pg, config) == 2_400);
                        assertEquals(2, members(admin, config).size());
                    }
                }
            }
            assertLoadedExactlyOnce(pg, config, "HANDOVER", 2_400);
        }
    }

    @Test
    void storedOffsetsBlockedByALockKeepTheLoaderInItsGroupPositioningUntilTheLockGoes(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("hung-positioning");
        kafka.createTopic(topic, 2);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start(); Admin admin = admin(kafka)) {
            LoaderConfig config = LoaderConfig.from(new Environment(env(kafka, topic, pg, "POSITIONED")));
            try (Warehouse warehouse = Warehouses.forSink(config.sink(), config.pipelineName())) {
                warehouse.open(); // the tables exist, as they do for any loader but the very first
            }
            OrderTopics.produceOrders(kafka, topic, 300, 0, 0, 41, 0);
            try (Connection lock = pg.connect(); Statement s = lock.createStatement()) {
                lock.setAutoCommit(false);
                s.execute("LOCK TABLE \"ORDERPIPELINE_OFFSETS\" IN ACCESS EXCLUSIVE MODE");
                try (RunningLoader loader = new RunningLoader(config, "positioning-loader")) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> loader.snapshot().state() == LoaderState.POSITIONING
                            && members(admin, config).values().stream().anyMatch(n -> n == 2));
                    String member = onlyMember(admin, config);
                    stayMember(admin, config, member, Duration.ofMillis(2 * MAX_POLL_INTERVAL_MS));

                    LoaderStatus.Snapshot positioning = loader.snapshot();
                    assertEquals(LoaderState.POSITIONING, positioning.state(), positioning.toString());
                    assertTrue(positioning.waitingFor().contains("stored offsets of partitions [0, 1]"), positioning.toString());
                    assertNotNull(positioning.sinkStalledSince(), "the operator's SinkWriting condition reads it");
                    assertEquals(List.of(0, 1), positioning.pausedPartitions());
                    assertEquals(0, positioning.recordsConsumed(), "nothing read before its position is known");

                    lock.rollback();
                    await().atMost(Duration.ofMinutes(1)).until(() -> loader.committed() == 300);
                    assertEquals(Set.of(member), members(admin, config).keySet(), "the same member throughout");
                    await().atMost(Duration.ofSeconds(10)).until(() -> loader.snapshot().sinkStalledSince() == null);
                }
            }
            assertLoadedExactlyOnce(pg, config, "POSITIONED", 300);
        }
    }

    private static Map<String, String> env(EmbeddedKafka kafka, String topic, EmbeddedPostgres pg, String table) {
        Map<String, String> env = new HashMap<>(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, Path.of("unused.duckdb"), ""));
        env.putAll(LoaderEnv.postgresTarget(pg, "unused"));
        env.put(Setting.SINK_TYPE.envName(), "postgres");
        env.put(Setting.SINK_TABLE.envName(), table); // append-only: a record loaded twice shows as a second row
        env.put(Setting.BATCH_MAX_RECORDS.envName(), Integer.toString(BATCH));
        return env;
    }

    /** A loader whose group drops it after {@value #MAX_POLL_INTERVAL_MS} ms without a poll. */
    static final class RunningLoader implements AutoCloseable {
        final LoaderStatus status = new LoaderStatus();
        final Loader loader;
        final Thread thread;

        RunningLoader(LoaderConfig config, String name) {
            Properties consumerProps = KafkaClientProperties.consumer(config.source(), BATCH);
            consumerProps.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(MAX_POLL_INTERVAL_MS));
            loader = new Loader(config, Warehouses.forSink(config.sink(), config.pipelineName(), config.sinkStatementTimeout()),
                    new KafkaConsumer<>(consumerProps), Optional.empty(), status,
                    new LoaderMetrics(new SimpleMeterRegistry(), config.pipelineName(), config.source().topic(), "postgres"));
            thread = new Thread(loader, name);
            thread.start();
        }

        LoaderStatus.Snapshot snapshot() {
            return status.snapshot();
        }

        long committed() {
            return snapshot().committedOffsets().values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public void close() throws InterruptedException {
            loader.stop();
            thread.join(60_000);
            assertFalse(thread.isAlive(), "the loader stopped");
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    /** Member id to the number of partitions assigned to it. */
    private static Map<String, Integer> members(Admin admin, LoaderConfig config) throws Exception {
        String group = config.source().groupId();
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members().stream()
                .collect(Collectors.toMap(MemberDescription::consumerId, m -> m.assignment().topicPartitions().size()));
    }

    private static String onlyMember(Admin admin, LoaderConfig config) throws Exception {
        Set<String> members = members(admin, config).keySet();
        assertEquals(1, members.size(), "one loader in the group: " + members);
        return members.iterator().next();
    }

    /** The member stays in the group, never evicted, for {@code time}. */
    private static void stayMember(Admin admin, LoaderConfig config, String member, Duration time) {
        await().during(time).atMost(time.plusSeconds(10)).until(() -> members(admin, config).containsKey(member));
    }

    private static long storedOffsetSum(EmbeddedPostgres pg, LoaderConfig config) throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(sum(\"NEXT_OFFSET\"), 0) FROM \"ORDERPIPELINE_OFFSETS\" WHERE \"PIPELINE\" = '"
                     + config.pipelineName() + "' AND \"NEXT_OFFSET\" > 0")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** State compare: every record once, and the stored offsets account for every one of them. */
    private static void assertLoadedExactlyOnce(EmbeddedPostgres pg, LoaderConfig config, String table, long records) throws Exception {
        LoadedRecords.assertEachOnce(pg, table, records);
        assertEquals(records, storedOffsetSum(pg, config), "the stored offsets");
    }
}
