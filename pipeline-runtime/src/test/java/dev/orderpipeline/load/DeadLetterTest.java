package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.source.RecordConversionException;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.RuntimeChild;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Records that cannot be loaded: dead-lettered with their story, or the loader stops, never silently dropped. */
@ExtendWith(KafkaExtension.class)
class DeadLetterTest {
    @TempDir
    Path dir;

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void onePercentMalformedRecordsAllReachTheDeadLetterTopicWithHeadersAndNothingIsLost(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("poison");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 3);
        kafka.createTopic(deadLetters, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Set<String> badKeys = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String key = Integer.toString(i);
            String value = i % 100 == 37
                    ? (i % 200 == 37 ? "{\"orderid\": " + i + ", broken" : "{\"orderid\": \"not-a-number-" + i + "\"}")
                    : "{\"orderid\": " + i + ", \"itemid\": \"Item_" + i + "\", \"orderunits\": 1.5}";
            if (i % 100 == 37) {
                badKeys.add(key);
            }
            records.add(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
        }
        OrderTopics.produceRaw(kafka, topic, records);

        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
        env.put("OPL_ERROR_TOLERANCE", "all");
        env.put("OPL_DEAD_LETTER_TOPIC", deadLetters);
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 10_000);
            assertEquals(10_000 - badKeys.size(), loader.status().snapshot().recordsLoaded());
            assertEquals(badKeys.size(), loader.status().snapshot().recordsDeadLettered());
        }

        List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
        assertEquals(badKeys.size(), dead.size());
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertTrue(badKeys.contains(key), key);
            assertEquals(topic, header(r, DeadLetterPublisher.HEADER_TOPIC));
            assertTrue(Integer.parseInt(header(r, DeadLetterPublisher.HEADER_PARTITION)) < 3);
            assertTrue(Long.parseLong(header(r, DeadLetterPublisher.HEADER_OFFSET)) >= 0);
            assertEquals(RecordConversionException.class.getName(), header(r, DeadLetterPublisher.HEADER_EXCEPTION_CLASS));
            String why = header(r, DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE);
            boolean broken = Integer.parseInt(key) % 200 == 37;
            assertTrue(why.startsWith(broken ? "the record value is not valid JSON" : "the value 'not-a-number-"), why);
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(10_000, rs.getLong(1) + dead.size(), "loaded + dead-lettered = produced");
        }
    }

    @Test
    void withErrorToleranceNoneTheLoaderStopsAtTheBadRecordAndCommitsNothingPastIt(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("strict");
        kafka.createTopic(topic, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String value = i == 60 ? "not json" : "{\"orderid\": " + i + "}";
            records.add(new ProducerRecord<>(topic, Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8)));
        }
        OrderTopics.produceRaw(kafka, topic, records);
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
        try (RuntimeChild loader = RuntimeChild.start(dir, env, "load")) {
            assertEquals(1, loader.waitForExit(Duration.ofMinutes(1)), loader.output());
            assertTrue(loader.output().contains("record " + topic + "-0@60 cannot be loaded: the record value is not valid JSON"),
                    loader.output());
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT max(\"ORDERID\") FROM \"main\".\"ORDERS\"), "
                     + "(SELECT \"NEXT_OFFSET\" FROM \"main\".\"ORDERPIPELINE_OFFSETS\")")) {
            rs.next();
            assertEquals(59, rs.getLong(1), "everything before the bad record is loaded");
            assertEquals(60, rs.getLong(2), "the stored offset stops at the bad record");
        }
    }

    @Test
    void aDeadLetterTopicThatDoesNotExistIsAStartUpErrorNamingTheSetting(EmbeddedKafka kafka) {
        String topic = SharedKafka.uniqueTopic("no-dlq");
        kafka.createTopic(topic, 1);
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("w.duckdb"), "orderid");
        env.put("OPL_ERROR_TOLERANCE", "all");
        env.put("OPL_DEAD_LETTER_TOPIC", topic + "-missing");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InProcessLoader.start(env).close());
        assertTrue(e.getMessage().contains("OPL_DEAD_LETTER_TOPIC=" + topic + "-missing names a topic that does not exist"),
                e.getMessage());
    }

    @Test
    void whileTheDeadLetterTopicTakesNothingTheLoaderWaitsAndSaysSoThenRecoversByItselfWithNothingLost(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("dlq-down");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 2);
        kafka.createTopic(deadLetters, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Set<String> badKeys = new TreeSet<>();
        for (int i = 0; i < 500; i++) {
            boolean bad = i % 50 == 7;
            String value = bad ? "{\"orderid\": \"not-a-number\"}" : "{\"orderid\": " + i + "}";
            if (bad) {
                badKeys.add(Integer.toString(i));
            }
            records.add(new ProducerRecord<>(topic, Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8)));
        }
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
        env.put("OPL_ERROR_TOLERANCE", "all");
        env.put("OPL_DEAD_LETTER_TOPIC", deadLetters);
        try (Admin admin = kafka.admin(); InProcessLoader loader = InProcessLoader.start(env)) {
            // The topic existed at start, then goes away: every send waits for metadata and fails.
            admin.deleteTopics(List.of(deadLetters)).all().get();
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(deadLetters));
            OrderTopics.produceRaw(kafka, topic, records);
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.status().snapshot().deadLetterUnavailableSince() != null);
            LoaderStatus.Snapshot waiting = loader.status().snapshot();
            assertTrue(waiting.lastError().contains(deadLetters), waiting.toString());
            assertTrue(loader.committedRecords() < 500, "the batches that skipped records wait for their dead letters");
            assertTrue(loader.isRunning());

            kafka.createTopic(deadLetters, 1); // back
            await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 500);
            LoaderStatus.Snapshot recovered = loader.status().snapshot();
            assertNull(recovered.deadLetterUnavailableSince(), recovered.toString());
            assertNull(recovered.lastError(), recovered.toString());
            assertEquals(500 - badKeys.size(), recovered.recordsLoaded());
        }
        List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
        assertEquals(badKeys, dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toCollection(TreeSet::new)), "every bad record dead-lettered (at least once)");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\") FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(500 - badKeys.size(), rs.getLong(1));
            assertEquals(500 - badKeys.size(), rs.getLong(2));
        }
    }

    @Test
    void aFirstBatchOfOnlyDeadLettersOnAFreshUpsertTableCommitsItsOffsetsAndLaterRecordsLoad(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("all-dead");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        List<ProducerRecord<byte[], byte[]>> keyless = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keyless.add(new ProducerRecord<>(topic, null, ("{\"itemid\": \"Item_" + i + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
        env.put("OPL_ERROR_TOLERANCE", "all");
        env.put("OPL_DEAD_LETTER_TOPIC", deadLetters);
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceRaw(kafka, topic, keyless);
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 20);
            assertEquals(20, loader.status().snapshot().recordsDeadLettered());
            assertTrue(loader.isRunning(), "no crash: " + loader.failure());

            List<ProducerRecord<byte[], byte[]>> good = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                good.add(new ProducerRecord<>(topic, Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                        ("{\"orderid\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
            }
            OrderTopics.produceRaw(kafka, topic, good);
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 25);
            assertEquals(5, loader.status().snapshot().recordsLoaded());
        }
        assertEquals(20, OrderTopics.readAll(kafka, deadLetters).size(), "each dead-lettered once: no restart re-read them");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), (SELECT \"NEXT_OFFSET\" FROM \"main\".\"ORDERPIPELINE_OFFSETS\") "
                     + "FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(5, rs.getLong(1));
            assertEquals(25, rs.getLong(2));
        }
    }

}
