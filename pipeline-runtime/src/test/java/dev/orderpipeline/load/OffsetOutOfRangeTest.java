package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention deleted records the pipeline had not loaded yet (its stored offset 100 is below the log
 * start 150): OPL_KAFKA_OFFSET_RESET decides, and whatever it decides is logged, counted and shown
 * in {@code /status}. The consumer never resets by itself.
 */
@ExtendWith(KafkaExtension.class)
class OffsetOutOfRangeTest {
    @TempDir
    Path dir;

    @Test
    void withTheDefaultFailThePartitionIsNotReadAndStatusSaysHowToResume(EmbeddedKafka kafka) throws Exception {
        Scenario s = storedOffsetBelowLogStart(kafka);
        try (InProcessLoader loader = InProcessLoader.start(s.env())) {
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.status().snapshot().outOfRangePartitions().equals(List.of(0)));
            LoaderStatus.Snapshot status = loader.status().snapshot();
            assertReset(status, "OPL_KAFKA_OFFSET_RESET=fail", "held: not read");
            assertTrue(status.lastError().contains("OPL_KAFKA_OFFSET_RESET=earliest"), status.lastError());
            assertEquals(List.of(0), status.pausedPartitions());
            Thread.sleep(1_000); // would it read anyway?
            assertEquals(Map.of(0, 100L), loader.status().snapshot().committedOffsets());
            assertTrue(loader.isRunning());
            String metrics = LoaderEndpointsTest.get(loader.httpPort(), "/metrics").body();
            assertTrue(metrics.contains("orderpipeline_loader_offsets_out_of_range_total{pipeline=\"test-" + s.topic()
                    + "\",sink=\"duckdb\",topic=\"" + s.topic() + "\"} 1.0"), metrics);
            assertTrue(metrics.contains("orderpipeline_loader_partitions_out_of_range{pipeline=\"test-" + s.topic()
                    + "\",sink=\"duckdb\",topic=\"" + s.topic() + "\"} 1.0"), metrics);
            JsonNode json = new ObjectMapper().readTree(LoaderEndpointsTest.get(loader.httpPort(), "/status").body());
            assertEquals(150, json.at("/lastOffsetReset/logStart").asLong(), json.toString());
        }
        assertEquals(100, rows(s));
    }

    @Test
    void withEarliestTheLoaderGoesOnFromTheLogStartAndReportsTheGap(EmbeddedKafka kafka) throws Exception {
        Scenario s = storedOffsetBelowLogStart(kafka);
        s.env().put(Setting.KAFKA_OFFSET_RESET.envName(), "earliest");
        try (InProcessLoader loader = InProcessLoader.start(s.env())) {
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 200);
            LoaderStatus.Snapshot status = loader.status().snapshot();
            assertReset(status, "OPL_KAFKA_OFFSET_RESET=earliest", "seek to the log start 150");
            assertEquals(List.of(), status.outOfRangePartitions());
        }
        assertEquals(150, rows(s), "100 before the outage, and 150..199: 100..149 were deleted unread");
    }

    @Test
    void withLatestTheLoaderSkipsToTheEndAndReportsIt(EmbeddedKafka kafka) throws Exception {
        Scenario s = storedOffsetBelowLogStart(kafka);
        s.env().put(Setting.KAFKA_OFFSET_RESET.envName(), "latest");
        try (InProcessLoader loader = InProcessLoader.start(s.env())) {
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.status().snapshot().lastOffsetReset() != null);
            assertReset(loader.status().snapshot(), "OPL_KAFKA_OFFSET_RESET=latest", "seek to the log end 200");
            OrderTopics.produceRaw(kafka, s.topic(), orders(s.topic(), 200, 210));
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 210);
        }
        assertEquals(110, rows(s));
    }

    @Test
    void aStoredOffsetPastTheLogEndOfARecreatedTopicIsHandledByThePolicyToo(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("recreated");
        kafka.createTopic(topic, 1);
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "");
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceRaw(kafka, topic, orders(topic, 0, 100));
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 100);
        }
        try (Admin admin = kafka.admin()) {
            admin.deleteTopics(List.of(topic)).all().get();
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(topic));
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> kafka.createTopic(topic, 1));
        OrderTopics.produceRaw(kafka, topic, orders(topic, 100, 110));

        env.put(Setting.KAFKA_OFFSET_RESET.envName(), "earliest");
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 10);
            LoaderStatus.OffsetReset reset = loader.status().snapshot().lastOffsetReset();
            assertEquals(100, reset.storedOffset());
            assertEquals(0, reset.logStart());
            assertEquals(10, reset.logEnd());
            assertEquals("seek to the log start 0", reset.action());
        }
        assertEquals(110, rows(new Scenario(topic, db, env)), "the re-created topic's records load after the old ones");
    }

    private static void assertReset(LoaderStatus.Snapshot status, String policy, String action) {
        LoaderStatus.OffsetReset reset = status.lastOffsetReset();
        assertEquals(1, status.offsetResets(), status.toString());
        assertEquals(0, reset.partition());
        assertEquals(100, reset.fetchOffset());
        assertEquals(100, reset.storedOffset());
        assertEquals(150, reset.logStart());
        assertEquals(200, reset.logEnd());
        assertEquals(policy, reset.policy());
        assertEquals(action, reset.action());
    }

    private record Scenario(String topic, Path db, Map<String, String> env) {
    }

    /** 100 orders loaded; the loader stops; 100 more arrive and the first 50 of them are deleted unread. */
    private Scenario storedOffsetBelowLogStart(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("out-of-range");
        kafka.createTopic(topic, 1);
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "");
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceRaw(kafka, topic, orders(topic, 0, 100));
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 100);
        }
        OrderTopics.produceRaw(kafka, topic, orders(topic, 100, 200));
        try (Admin admin = kafka.admin()) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(150))).all().get();
        }
        return new Scenario(topic, db, env);
    }

    private static List<ProducerRecord<byte[], byte[]>> orders(String topic, long from, long to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long id = from; id < to; id++) {
            records.add(PoisonIsolationTest.order(topic, id, "{\"orderid\":" + id + "}"));
        }
        return records;
    }

    private static long rows(Scenario s) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + s.db()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(DISTINCT \"ORDERID\") FROM \"main\".\"ORDERS\"")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
