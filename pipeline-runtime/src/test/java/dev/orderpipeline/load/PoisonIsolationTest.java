package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows the warehouse refuses (here: a constraint added to the target table) never stall the
 * pipeline: the batch is bisected, the refused records go to the dead-letter topic with the
 * database's message, every other row commits, exactly once.
 */
@ExtendWith(KafkaExtension.class)
class PoisonIsolationTest {
    @TempDir
    Path dir;

    @Test
    void rowsAPostgresCheckConstraintRefusesAreDeadLetteredAndEveryOtherRowCommitsExactlyOnce(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("refused-pg");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 3);
        kafka.createTopic(deadLetters, 1);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = new HashMap<>(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("unused.duckdb"), "orderid"));
            env.putAll(LoaderEnv.postgresTarget(pg, "unused"));
            env.put(Setting.SINK_TYPE.envName(), "postgres");
            env.put(Setting.SINK_TABLE.envName(), "CHECKED");
            env.put(Setting.ERROR_TOLERANCE.envName(), "all");
            env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                OrderTopics.produceRaw(kafka, topic, List.of(order(topic, 0, "{\"orderid\":0,\"orderunits\":0}")));
                await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 1);
                try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE \"CHECKED\" ADD CONSTRAINT units_not_negative CHECK (\"ORDERUNITS\" >= 0)");
                }

                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                for (long id = 1; id < 1_000; id++) {
                    long units = id == 500 ? -500 : id;
                    records.add(order(topic, id, "{\"orderid\":" + id + ",\"orderunits\":" + units + "}"));
                }
                // The refused record's own headers go with it to the dead-letter topic.
                records.get(499).headers().add("trace-id", "t-500".getBytes(StandardCharsets.UTF_8));
                // Updates: a refused latest version leaves the previous one standing; a valid one replaces it.
                records.add(order(topic, 7, "{\"orderid\":7,\"orderunits\":-7}"));
                records.add(order(topic, 8, "{\"orderid\":8,\"orderunits\":80}"));
                OrderTopics.produceRaw(kafka, topic, records);

                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 1 + records.size());
                LoaderStatus.Snapshot status = loader.status().snapshot();
                assertEquals(2, status.recordsRefused(), status.toString());
                assertEquals(2, status.recordsDeadLettered(), status.toString());
                assertEquals(1 + records.size() - 2, status.recordsLoaded(), status.toString());
                assertTrue(loader.isRunning());
            }

            Map<Long, Long> table = new TreeMap<>();
            try (Connection c = pg.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT \"ORDERID\", \"ORDERUNITS\" FROM \"CHECKED\"")) {
                while (rs.next()) {
                    assertTrue(table.put(rs.getLong(1), rs.getLong(2)) == null, "one row per key");
                }
            }
            Map<Long, Long> expectedState = new TreeMap<>();
            for (long id = 0; id < 1_000; id++) {
                if (id != 500) {
                    expectedState.put(id, id == 8 ? 80L : id);
                }
            }
            assertEquals(expectedState, table, "the table holds every accepted version, and nothing refused");

            List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
            Map<String, String> deadValues = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                deadValues.put(utf8(r.key()), utf8(r.value()));
                assertEquals("warehouse", DeadLetterTest.header(r, DeadLetterPublisher.HEADER_STAGE));
                assertEquals("23514", DeadLetterTest.header(r, DeadLetterPublisher.HEADER_SQLSTATE));
                assertTrue(DeadLetterTest.header(r, DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE).contains("units_not_negative"),
                        DeadLetterTest.header(r, DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE));
                assertEquals(topic, DeadLetterTest.header(r, DeadLetterPublisher.HEADER_TOPIC));
            }
            assertEquals(Map.of("500", "{\"orderid\":500,\"orderunits\":-500}", "7", "{\"orderid\":7,\"orderunits\":-7}"),
                    deadValues, "the original records, each once");
            ConsumerRecord<byte[], byte[]> order500 = dead.stream().filter(r -> utf8(r.key()).equals("500")).findFirst().orElseThrow();
            assertEquals("t-500", DeadLetterTest.header(order500, "trace-id"), "the original record's headers");
            assertEquals(2, dead.size());
        }
    }

    @Test
    void aRowADuckDbNotNullColumnRefusesIsDeadLetteredAndTheOthersLoadOnce(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("refused-duck");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "");
        env.put(Setting.ERROR_TOLERANCE.envName(), "all");
        env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
        createTableWithNotNullUnits(kafka, topic, env, db);

        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceRaw(kafka, topic, ordersWithoutUnitsAt(topic, 150));
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 300);
            assertEquals(1, loader.status().snapshot().recordsRefused());
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\"), count(*) FILTER (WHERE \"ORDERID\" = 150), "
                     + "sum(\"ORDERUNITS\") FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(299, rs.getLong(1), "every record but the refused one");
            assertEquals(299, rs.getLong(2), "none twice");
            assertEquals(0, rs.getLong(3));
            assertEquals((299L * 300 / 2) - 150, rs.getLong(4), "every value as produced");
        }
        List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
        assertEquals(1, dead.size());
        assertEquals("150", utf8(dead.get(0).key()));
        assertEquals("{\"orderid\":150}", utf8(dead.get(0).value()));
        assertEquals("150", DeadLetterTest.header(dead.get(0), DeadLetterPublisher.HEADER_OFFSET));
        String why = DeadLetterTest.header(dead.get(0), DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE);
        assertTrue(why.startsWith("Constraint Error: NOT NULL constraint failed"), why);
    }

    @Test
    void withErrorToleranceNoneARefusedRowStopsTheLoaderNamingTheRecordAndTheDatabaseMessage(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("refused-strict");
        kafka.createTopic(topic, 1);
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "");
        createTableWithNotNullUnits(kafka, topic, env, db);

        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceRaw(kafka, topic, ordersWithoutUnitsAt(topic, 150));
            await().atMost(Duration.ofMinutes(1)).until(() -> !loader.isRunning());
            PoisonRecordException stop = assertInstanceOf(PoisonRecordException.class, loader.failure());
            assertTrue(stop.getMessage().contains("record " + topic + "-0@150"), stop.getMessage());
            assertTrue(stop.getMessage().contains("NOT NULL constraint failed"), stop.getMessage());
            assertTrue(stop.getMessage().contains("OPL_ERROR_TOLERANCE"), stop.getMessage());
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM \"main\".\"ORDERS\" WHERE \"ORDERID\" >= 150), "
                     + "(SELECT \"NEXT_OFFSET\" FROM \"main\".\"ORDERPIPELINE_OFFSETS\")")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "nothing from the refused record on");
            assertTrue(rs.getLong(2) <= 150, "the stored offset does not pass the refused record: " + rs.getLong(2));
        }
    }

    /** The loader creates the table from a first record (offset 0); then ORDERUNITS is made NOT NULL. */
    private void createTableWithNotNullUnits(EmbeddedKafka kafka, String topic, Map<String, String> env, Path db) throws Exception {
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceRaw(kafka, topic, List.of(order(topic, 0, "{\"orderid\":0,\"orderunits\":0}")));
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 1);
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE \"main\".\"ORDERS\" ALTER COLUMN \"ORDERUNITS\" SET NOT NULL");
        }
    }

    /** Orders 1..299 (offsets 1..299), the one at {@code missing} without orderunits. */
    private static List<ProducerRecord<byte[], byte[]>> ordersWithoutUnitsAt(String topic, long missing) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long id = 1; id < 300; id++) {
            records.add(order(topic, id, id == missing ? "{\"orderid\":" + id + "}" : "{\"orderid\":" + id + ",\"orderunits\":" + id + "}"));
        }
        return records;
    }

    static ProducerRecord<byte[], byte[]> order(String topic, long key, String value) {
        return new ProducerRecord<>(topic, Long.toString(key).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
