package dev.orderpipeline.format;

import static dev.orderpipeline.format.ConfluentAvroLoadTest.duckTypes;
import static dev.orderpipeline.format.ConfluentAvroLoadTest.rows;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.testing.ConfluentProducer;
import dev.orderpipeline.testing.InMemorySchemaRegistry;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** JSON Schema topics ({@code json_sr}) written by Confluent's own JSONSerializer, loaded by the real loader. */
@ExtendWith(KafkaExtension.class)
class ConfluentJsonSchemaLoadTest {
    static final String ORDER = """
            {"$schema":"http://json-schema.org/draft-07/schema#","title":"Order","type":"object","properties":{
              "ordertime":{"type":"integer"},
              "orderid":{"type":"integer"},
              "itemid":{"type":"string"},
              "orderunits":{"type":"number"},
              "address":{"type":"object","properties":{
                "city":{"type":"string"},"state":{"type":"string"},"zipcode":{"type":"integer"}}},
              "coupon":{"type":["null","string"]},
              "tags":{"type":"array","items":{"type":"string"}}},
             "required":["orderid"]}""";

    @TempDir
    Path dir;

    static Map<String, Object> order(int id, int units) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ordertime", 1_700_000_000_000L + id);
        v.put("orderid", id);
        v.put("itemid", "Item_" + id);
        v.put("orderunits", units); // whole numbers: schemaless JSON would make the column BIGINT
        v.put("address", Map.of("city", "City_" + id, "state", "State_" + id, "zipcode", 10_000 + id));
        v.put("coupon", null);
        v.put("tags", List.of("t" + id));
        return v;
    }

    @Test
    void jsonSchemaOrdersWithUpdatesTombstonesAndHeaderSchemaIdsLoadExactlyOnceTypedByTheSchema(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("json-sr");
        kafka.createTopic(topic, 2);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            ConfluentProducer prefixed = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "json_sr", "string")
                    .schema("v1", ORDER);
            for (int i = 0; i < 100; i++) {
                prefixed.record("v1", i, order(i, i));
            }
            prefixed.send(dir);
            // Newer Confluent clients can put the schema GUID in a header and leave the payload unframed.
            ConfluentProducer headered = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "json_sr", "string")
                    .schema("v1", ORDER).headerSchemaId();
            for (int i = 0; i < 30; i++) {
                headered.record("v1", i, order(i, 1000 + i));
            }
            headered.send(dir);

            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
            env.put(Setting.KAFKA_VALUE_FORMAT.envName(), "json_sr");
            env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 130);
                for (int i = 90; i < 100; i++) {
                    headered.record("v1", i, null); // tombstones, keyed by the key's text
                }
                headered.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 140);
                assertEquals(140, loader.status().snapshot().recordsLoaded());
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                Map<String, String> types = duckTypes(c, "ORDERS");
                assertEquals("DOUBLE", types.get("ORDERUNITS"), "the schema's number, not the first value's integer");
                assertEquals("BIGINT", types.get("ADDRESS_ZIPCODE"));
                assertEquals("VARCHAR", types.get("COUPON"), "declared, always null, still a column");
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", \"ORDERUNITS\" || '|' || \"_DELETED\" || '|' || "
                        + "\"TAGS\" || '|' || coalesce(\"RECORD_METADATA\"->>'schema_id', 'none') FROM \"main\".\"ORDERS\"");
                assertEquals(100, rows.size());
                int id = registry.id(topic + "-value", 1);
                assertEquals("1029.0|false|[\"t29\"]|" + id, rows.get(29L).replace("1029|", "1029.0|"));
                assertEquals("30.0|false|[\"t30\"]|" + id, rows.get(30L).replace("30|", "30.0|"));
                assertTrue(rows.get(95L).contains("|true|"), rows.get(95L));
                assertEquals(10, rows.values().stream().filter(r -> r.contains("|true|")).count());
            }
        }
    }

    @Test
    void jsonSchemaOrdersWithUpdatesAndTombstonesLoadExactlyOnceIntoPostgresAndFakesnow(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("json-sr-pg-snow");
        kafka.createTopic(topic, 2);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "json_sr", "string")
                    .schema("v1", ORDER);
            for (int i = 0; i < 60; i++) {
                producer.record("v1", i, order(i, i));
            }
            for (int i = 0; i < 10; i++) {
                producer.record("v1", i, order(i, 700 + i));
            }
            producer.send(dir);
            Map<String, String> pgEnv = LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "JSON_ORDERS", "orderid");
            Map<String, String> snowEnv = LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "JSON_ORDERS", "orderid");
            snowEnv.put(Setting.PIPELINE_NAME.envName(), "json-sr-snow");
            for (Map<String, String> env : List.of(pgEnv, snowEnv)) {
                env.put(Setting.KAFKA_VALUE_FORMAT.envName(), "json_sr");
                env.put(Setting.KAFKA_KEY_FORMAT.envName(), "string");
                env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
            }
            try (InProcessLoader toPg = InProcessLoader.start(pgEnv); InProcessLoader toSnow = InProcessLoader.start(snowEnv)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> toPg.committedRecords() == 70 && toSnow.committedRecords() == 70);
                for (int i = 50; i < 55; i++) {
                    producer.record("v1", i, null);
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(3)).until(() -> toPg.committedRecords() == 75 && toSnow.committedRecords() == 75);
            }
            Properties p = new Properties();
            p.put("user", "CHECKER");
            p.put("password", "unused");
            p.put("db", "ANALYTICS");
            p.put("schema", "RAW");
            try (Connection pgc = pg.connect(); Connection snow = DriverManager.getConnection(fakesnow.jdbcUrl(), p)) {
                Map<Long, String> pgRows = rows(pgc, "SELECT \"ORDERID\", \"ORDERUNITS\" || '|' || \"_DELETED\" || '|' "
                        + "|| \"ADDRESS_CITY\" FROM \"JSON_ORDERS\"");
                Map<Long, String> snowRows = rows(snow, "SELECT \"ORDERID\", CAST(\"ORDERUNITS\" AS VARCHAR) || '|' || "
                        + "CAST(\"_DELETED\" AS VARCHAR) || '|' || \"ADDRESS_CITY\" FROM \"ANALYTICS\".\"RAW\".\"JSON_ORDERS\"");
                for (Map<Long, String> rows : List.of(pgRows, snowRows)) {
                    assertEquals(60, rows.size());
                    assertEquals("709|false|City_9", rows.get(9L).replace(".0|", "|"), "the update wins");
                    assertEquals("10|false|City_10", rows.get(10L).replace(".0|", "|"));
                    assertTrue(rows.get(52L).contains("|true|"), rows.get(52L));
                    assertEquals(5, rows.values().stream().filter(r -> r.contains("|true|")).count());
                }
                try (java.sql.Statement s = pgc.createStatement(); java.sql.ResultSet rs = s.executeQuery(
                        "SELECT data_type FROM information_schema.columns WHERE table_name = 'JSON_ORDERS' "
                                + "AND column_name = 'ORDERUNITS'")) {
                    assertTrue(rs.next());
                    assertEquals("double precision", rs.getString(1), "the schema's number, though every value is whole");
                }
            }
        }
    }

    @Test
    void aNewJsonSchemaVersionMidStreamAddsItsColumnAndAnIncompatibleOneIsDeadLetteredNamingItsSubjectAndVersion(
            EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("json-sr-evolve");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        String withDiscount = ORDER.replace("\"coupon\":", "\"discount\":{\"type\":\"number\"},\"coupon\":");
        String unitsAsText = ORDER.replace("\"orderunits\":{\"type\":\"number\"}", "\"orderunits\":{\"type\":\"string\"}");
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = jsonSchemaEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"), registry);
            env.put(Setting.ERROR_TOLERANCE.envName(), "all");
            env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "json_sr", "string")
                    .schema("v1", ORDER).schema("v2", withDiscount).schema("other", unitsAsText);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                for (int i = 0; i < 30; i++) {
                    producer.record("v1", i, order(i, i));
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 30);
                for (int i = 30; i < 60; i++) {
                    Map<String, Object> v2 = order(i, i);
                    v2.put("discount", 0.25);
                    producer.record("v2", i, v2);
                }
                Map<String, Object> bad = order(99, 1);
                bad.put("orderunits", "lots");
                producer.record("other", 99, bad, "another-topic"); // registered as another-topic-value, version 1
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 61);
                assertEquals(60, loader.status().snapshot().recordsLoaded());
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                assertEquals("DOUBLE", duckTypes(c, "ORDERS").get("DISCOUNT"), "the new field's column, typed by the schema");
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", coalesce(CAST(\"DISCOUNT\" AS VARCHAR), 'null') || '|' "
                        + "|| (\"RECORD_METADATA\"->>'schema_id') FROM \"main\".\"ORDERS\"");
                assertEquals(60, rows.size());
                assertEquals("null|" + registry.id(topic + "-value", 1), rows.get(10L));
                assertEquals("0.25|" + registry.id(topic + "-value", 2), rows.get(40L));
            }
            List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
            assertEquals(1, dead.size());
            String why = header(dead.get(0));
            assertTrue(why.startsWith("schema id " + registry.id("another-topic-value", 1) + " (subject another-topic-value "
                    + "version 1) declares the field '/orderunits' as VARCHAR, but its column ORDERUNITS is DOUBLE"), why);
        }
    }

    @Test
    void anUnknownSchemaIdAndAPayloadThatIsNotJsonGoToTheDeadLetterTopicWithTheCause(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("json-sr-unknown");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "json_sr", "string")
                    .schema("v1", ORDER).record("v1", 1, order(1, 1)).send(dir);
            int id = registry.id(topic + "-value", 1);
            byte[] notJson = "{\"orderid\": 3,".getBytes(StandardCharsets.UTF_8);
            OrderTopics.produceRaw(kafka, topic, List.of(
                    new ProducerRecord<>(topic, "2".getBytes(StandardCharsets.UTF_8),
                            ByteBuffer.allocate(7).put((byte) 0).putInt(999).put("{}".getBytes(StandardCharsets.UTF_8)).array()),
                    new ProducerRecord<>(topic, "3".getBytes(StandardCharsets.UTF_8),
                            ByteBuffer.allocate(5 + notJson.length).put((byte) 0).putInt(id).put(notJson).array()),
                    new ProducerRecord<>(topic, "4".getBytes(StandardCharsets.UTF_8),
                            "{\"orderid\":4}".getBytes(StandardCharsets.UTF_8)))); // schemaless JSON in a json_sr topic
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = jsonSchemaEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"), registry);
            env.put(Setting.ERROR_TOLERANCE.envName(), "all");
            env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 4);
                assertEquals(1, loader.status().snapshot().recordsLoaded());
            }
            Map<String, String> why = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : OrderTopics.readAll(kafka, deadLetters)) {
                why.put(new String(r.key(), StandardCharsets.UTF_8), header(r));
            }
            assertEquals(3, why.size(), why.toString());
            assertTrue(why.get("2").startsWith("the Schema Registry does not know schema id 999"), why.get("2"));
            assertTrue(why.get("3").startsWith("the payload of schema id " + id + " (subject " + topic + "-value version 1) "
                    + "is not valid JSON"), why.get("3"));
            assertTrue(why.get("4").startsWith("the value is not in Confluent's wire format"), why.get("4"));
        }
    }

    @Test
    void whileTheRegistryIsDownNothingIsLoadedOrSkippedThenEveryJsonSchemaRecordLoadsOnce(EmbeddedKafka kafka)
            throws Exception {
        RegistryOutageScenario.run(kafka, dir, "json_sr", ORDER, i -> order(i, i));
    }

    private static Map<String, String> jsonSchemaEnv(Map<String, String> env, InMemorySchemaRegistry registry) {
        env.put(Setting.KAFKA_VALUE_FORMAT.envName(), "json_sr");
        env.put(Setting.KAFKA_KEY_FORMAT.envName(), "string");
        env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
        return env;
    }

    private static String header(ConsumerRecord<byte[], byte[]> deadLetter) {
        return new String(deadLetter.headers().lastHeader(DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE).value(),
                StandardCharsets.UTF_8);
    }
}
