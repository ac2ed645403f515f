package dev.orderpipeline.format;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.testing.ConfluentProducer;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

/**
 * Avro topics in Confluent's wire format, written by Confluent's own serializers (confluent-kafka, through
 * {@link InMemorySchemaRegistry}), loaded by the real loader into real warehouses.
 */
@ExtendWith(KafkaExtension.class)
class ConfluentAvroLoadTest {
    static final String ORDER_V1 = """
            {"type":"record","name":"Order","namespace":"dev.orderpipeline.test","fields":[
              {"name":"ordertime","type":"long"},
              {"name":"orderid","type":"int"},
              {"name":"itemid","type":"string"},
              {"name":"orderunits","type":"double"},
              {"name":"quantity","type":"int"},
              {"name":"weight","type":"float"},
              {"name":"address","type":{"type":"record","name":"Address","fields":[
                {"name":"city","type":"string"},{"name":"state","type":"string"},{"name":"zipcode","type":"long"}]}},
              {"name":"coupon","type":["null","string"],"default":null}
            ]}""";
    /** v1 plus a decimal field, with int → long and float → double promotions: BACKWARD compatible. */
    static final String ORDER_V2 = ORDER_V1
            .replace("{\"name\":\"quantity\",\"type\":\"int\"}", "{\"name\":\"quantity\",\"type\":\"long\"}")
            .replace("{\"name\":\"weight\",\"type\":\"float\"}", "{\"name\":\"weight\",\"type\":\"double\"}")
            .replace("{\"name\":\"coupon\"", "{\"name\":\"discount\",\"type\":[\"null\",{\"type\":\"bytes\","
                    + "\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}],\"default\":null},\n  {\"name\":\"coupon\"");

    @TempDir
    Path dir;

    static Map<String, Object> order(int id, double units) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ordertime", 1_700_000_000_000L + id);
        v.put("orderid", id);
        v.put("itemid", "Item_" + id);
        v.put("orderunits", units);
        v.put("quantity", id % 7);
        v.put("weight", 0.1);
        v.put("address", Map.of("city", "City_" + id, "state", "State_" + id, "zipcode", 10_000 + id));
        v.put("coupon", null);
        return v;
    }

    @Test
    void avroOrdersWithUpdatesAndTombstonesLoadExactlyOnceIntoDuckDbWithTheSchemaDecidingTheColumns(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("avro-orders");
        kafka.createTopic(topic, 3);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry("sr-key", "sr-secret").start()) {
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "avro")
                    .credentials("sr-key", "sr-secret").schema("v1", ORDER_V1);
            for (int i = 0; i < 300; i++) {
                producer.record("v1", i, order(i, i + 0.5));
            }
            for (int i = 0; i < 100; i++) {
                producer.record("v1", i, order(i, 1000 + i + 0.25)); // updates: the last wins
            }
            int produced = producer.size() + 20;
            producer.send(dir);

            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
            env.put(Setting.KAFKA_VALUE_FORMAT.envName(), "avro");
            env.put(Setting.KAFKA_KEY_FORMAT.envName(), "avro");
            env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
            env.put(Setting.SCHEMA_REGISTRY_USERNAME.envName(), "sr-key");
            env.put(Setting.SCHEMA_REGISTRY_PASSWORD.envName(), "sr-secret");
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced - 20);
                // Tombstones once their rows are loaded (in one batch with its insert, a tombstone leaves no row).
                for (int i = 250; i < 270; i++) {
                    producer.record("v1", i, null); // keyed by an Avro long
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced);
                assertEquals(produced, loader.status().snapshot().recordsLoaded());
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                Map<String, String> types = duckTypes(c, "ORDERS");
                assertEquals("BIGINT", types.get("ORDERID"));
                assertEquals("DOUBLE", types.get("ORDERUNITS"));
                assertEquals("BIGINT", types.get("ADDRESS_ZIPCODE"));
                assertEquals("VARCHAR", types.get("COUPON"), "a nullable field that is always null still has its column");
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", \"ORDERUNITS\" || '|' || \"_DELETED\" || '|' "
                        + "|| \"ADDRESS_CITY\" || '|' || \"WEIGHT\" || '|' || coalesce(\"RECORD_METADATA\"->>'schema_id', 'none') "
                        + "|| '|' || coalesce(\"RECORD_METADATA\"->>'key_schema_id', 'none') FROM \"main\".\"ORDERS\"");
                assertEquals(300, rows.size(), "one row per key");
                String ids = "|" + registry.id(topic + "-value", 1) + "|" + registry.id(topic + "-key", 1);
                assertEquals("1000.25|false|City_0|0.1" + ids, rows.get(0L));
                assertEquals("249.5|false|City_249|0.1" + ids, rows.get(249L));
                assertTrue(rows.get(250L).contains("|true|"), rows.get(250L));
                assertEquals("299.5|false|City_299|0.1" + ids, rows.get(299L));
                long deleted = rows.values().stream().filter(r -> r.contains("|true|")).count();
                assertEquals(20, deleted);
            }
        }
    }

    @Test
    void logicalTypesArriveValueByValue(EmbeddedKafka kafka) throws Exception {
        String schema = """
                {"type":"record","name":"Typed","fields":[
                  {"name":"id","type":"long"},
                  {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
                  {"name":"big","type":{"type":"bytes","logicalType":"decimal","precision":30,"scale":5}},
                  {"name":"at_ms","type":{"type":"long","logicalType":"timestamp-millis"}},
                  {"name":"at_us","type":{"type":"long","logicalType":"timestamp-micros"}},
                  {"name":"day","type":{"type":"int","logicalType":"date"}},
                  {"name":"uid","type":{"type":"string","logicalType":"uuid"}},
                  {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","SHIPPED"]}},
                  {"name":"tags","type":{"type":"array","items":"string"}},
                  {"name":"attrs","type":{"type":"map","values":"long"}},
                  {"name":"note","type":["null","string"],"default":null},
                  {"name":"ratio","type":"float"},
                  {"name":"flag","type":"boolean"},
                  {"name":"raw","type":"bytes"}
                ]}""";
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", 1);
        v.put("price", Map.of("$decimal", "12.34"));
        v.put("big", Map.of("$decimal", "1234567890123456789012345.12345"));
        v.put("at_ms", Map.of("$timestamp_millis", 1_764_655_463_123L));
        v.put("at_us", Map.of("$timestamp_micros", 1_764_655_463_123_456L));
        v.put("day", Map.of("$date", "2026-12-02"));
        v.put("uid", Map.of("$uuid", "6f1c2b3a-9d4e-4f5a-8b6c-7d8e9f0a1b2c"));
        v.put("status", "SHIPPED");
        v.put("tags", List.of("a", "b"));
        v.put("attrs", Map.of("x", 1));
        v.put("note", null);
        v.put("ratio", 0.1);
        v.put("flag", true);
        v.put("raw", Map.of("$bytes_b64", "AAEC/w=="));
        String topic = SharedKafka.uniqueTopic("avro-typed");
        kafka.createTopic(topic, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("typed", schema).record("typed", 1, v).send(dir);
            Path db = dir.resolve("w.duckdb");
            List<Map<String, String>> envs = List.of(
                    avroEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "id"), registry),
                    avroEnv(LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "TYPED", "id"), registry));
            envs.get(1).put(Setting.PIPELINE_NAME.envName(), "typed-pg");
            for (Map<String, String> env : envs) {
                try (InProcessLoader loader = InProcessLoader.start(env)) {
                    await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 1);
                }
            }
            String select = "SELECT \"PRICE\", \"BIG\", \"AT_MS\", \"AT_US\", \"DAY\", \"UID\", \"STATUS\", \"TAGS\", "
                    + "\"ATTRS\", \"NOTE\", \"RATIO\", \"FLAG\", \"RAW\" FROM ";
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + db); Connection pgc = pg.connect()) {
                for (Connection c : List.of(duck, pgc)) {
                    String table = c == duck ? "\"main\".\"ORDERS\"" : "\"TYPED\"";
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select + table)) {
                        assertTrue(rs.next());
                        assertEquals(0, new java.math.BigDecimal("12.34").compareTo(rs.getBigDecimal(1)), "decimal(10,2)");
                        assertEquals("1234567890123456789012345.12345", rs.getString(2), "decimal(30,5): exact text");
                        assertEquals(Instant.ofEpochMilli(1_764_655_463_123L), TemporalTypesLoadTest.instant(rs, 3));
                        assertEquals(Instant.parse("2025-12-02T06:04:23.123456Z"), TemporalTypesLoadTest.instant(rs, 4));
                        assertEquals(java.time.LocalDate.parse("2026-12-02"), TemporalTypesLoadTest.date(rs, 5));
                        assertEquals("6f1c2b3a-9d4e-4f5a-8b6c-7d8e9f0a1b2c", rs.getString(6));
                        assertEquals("SHIPPED", rs.getString(7));
                        assertEquals("[\"a\", \"b\"]", rs.getString(8).replace("\",\"", "\", \""));
                        assertEquals("{\"x\": 1}", rs.getString(9).replace("\":", "\": ").replace(":  ", ": "));
                        assertEquals(null, rs.getString(10));
                        assertEquals(0.1, rs.getDouble(11), 0.0, "a float reads as the double of its shortest spelling");
                        assertTrue(rs.getBoolean(12));
                        assertEquals("AAEC/w==", rs.getString(13));
                    }
                }
                Map<String, String> types = duckTypes(duck, "ORDERS");
                assertEquals("DECIMAL(38,18)", types.get("PRICE"));
                assertEquals("VARCHAR", types.get("BIG"));
                assertEquals("VARCHAR", types.get("NOTE"));
                assertEquals("TIMESTAMP WITH TIME ZONE", types.get("AT_US"));
                assertEquals("DATE", types.get("DAY"));
                assertEquals("VARCHAR", types.get("UID"), "a uuid is its canonical text");
                assertEquals("DOUBLE", types.get("RATIO"));
                assertEquals("BOOLEAN", types.get("FLAG"));
            }
        }
    }

    @Test
    void aNewSchemaVersionMidStreamAddsItsColumnAndPromotionsKeepTheColumnsTheyHad(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("avro-evolve");
        kafka.createTopic(topic, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = avroEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"), registry);
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("v1", ORDER_V1).schema("v2", ORDER_V2);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                for (int i = 0; i < 50; i++) {
                    producer.record("v1", i, order(i, i));
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 50);
                for (int i = 50; i < 100; i++) {
                    Map<String, Object> v2 = order(i, i);
                    v2.put("quantity", 5_000_000_000L + i); // beyond an int: the promotion to long is real
                    v2.put("discount", Map.of("$decimal", "1." + (i % 100)));
                    producer.record("v2", i, v2);
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 100);
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                Map<String, String> types = duckTypes(c, "ORDERS");
                assertEquals("DECIMAL(38,18)", types.get("DISCOUNT"), "the new field's column, typed by the schema");
                assertEquals("BIGINT", types.get("QUANTITY"));
                assertEquals("DOUBLE", types.get("WEIGHT"));
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", \"QUANTITY\" || '|' || coalesce(CAST(\"DISCOUNT\" AS "
                        + "DECIMAL(9,2))::VARCHAR, 'null') || '|' || (\"RECORD_METADATA\"->>'schema_id') FROM \"main\".\"ORDERS\"");
                assertEquals("3|null|1", rows.get(10L));
                assertEquals("5000000077|1.77|2", rows.get(77L));
            }
        }
    }

    @Test
    void anIncompatibleSchemaIsRefusedNamingItsSubjectVersionAndIdAndItsRecordsAreDeadLettered(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("avro-incompatible");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        String unitsAsText = ORDER_V1.replace("{\"name\":\"orderunits\",\"type\":\"double\"}",
                        "{\"name\":\"orderunits\",\"type\":\"string\"}")
                .replace("\"name\":\"Order\"", "\"name\":\"OtherOrder\"");
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = avroEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"), registry);
            env.put(Setting.ERROR_TOLERANCE.envName(), "all");
            env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
            Map<String, Object> bad = order(7, 1);
            bad.put("orderunits", "lots");
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("v1", ORDER_V1).schema("other", unitsAsText)
                    .record("v1", 1, order(1, 1))
                    .record("other", 7, bad, "another-topic") // registered as another-topic-value, version 1
                    .record("v1", 2, order(2, 1))
                    .send(dir);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 3);
                assertEquals(2, loader.status().snapshot().recordsLoaded());
            }
            List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
            assertEquals(1, dead.size());
            String why = new String(dead.get(0).headers().lastHeader(DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE).value(),
                    StandardCharsets.UTF_8);
            assertTrue(why.startsWith("schema id 2 (subject another-topic-value version 1) declares the field '/orderunits' as "
                    + "VARCHAR, but its column ORDERUNITS is DOUBLE: an incompatible schema change"), why);
        }
    }

    @Test
    void anUnknownSchemaIdAndAPayloadItsSchemaCannotReadGoToTheDeadLetterTopicWithTheCause(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("avro-unknown");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("v1", ORDER_V1).record("v1", 1, order(1, 1)).send(dir);
            List<ProducerRecord<byte[], byte[]>> raw = new ArrayList<>();
            raw.add(new ProducerRecord<>(topic, "2".getBytes(StandardCharsets.UTF_8),
                    ByteBuffer.allocate(7).put((byte) 0).putInt(999).put(new byte[] {2, 4}).array()));
            raw.add(new ProducerRecord<>(topic, "3".getBytes(StandardCharsets.UTF_8),
                    ByteBuffer.allocate(6).put((byte) 0).putInt(1).put((byte) 0x7f).array())); // a truncated datum
            raw.add(new ProducerRecord<>(topic, "4".getBytes(StandardCharsets.UTF_8),
                    "{\"orderid\":4}".getBytes(StandardCharsets.UTF_8))); // JSON in an Avro topic
            OrderTopics.produceRaw(kafka, topic, raw);
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = avroEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"), registry);
            env.put(Setting.ERROR_TOLERANCE.envName(), "all");
            env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 4);
                assertEquals(1, loader.status().snapshot().recordsLoaded());
            }
            Map<String, String> why = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : OrderTopics.readAll(kafka, deadLetters)) {
                why.put(new String(r.key(), StandardCharsets.UTF_8), new String(r.headers()
                        .lastHeader(DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE).value(), StandardCharsets.UTF_8));
            }
            assertEquals(3, why.size(), why.toString());
            assertTrue(why.get("2").startsWith("the Schema Registry does not know schema id 999"), why.get("2"));
            assertTrue(why.get("3").startsWith("the payload is not Avro of schema id 1 (subject " + topic + "-value version 1)"),
                    why.get("3"));
            assertTrue(why.get("4").startsWith("the value is not in Confluent's wire format"), why.get("4"));
        }
    }

    @Test
    void whileTheRegistryIsDownNothingIsLoadedOrSkippedAndStatusSaysWhyThenEverythingLoads(EmbeddedKafka kafka)
            throws Exception {
        RegistryOutageScenario.run(kafka, dir, "avro", ORDER_V1, i -> order(i, i));
    }

    @Test
    void avroOrdersWithUpdatesAndTombstonesLoadExactlyOnceIntoPostgres(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("avro-pg");
        kafka.createTopic(topic, 2);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("v1", ORDER_V1);
            for (int i = 0; i < 200; i++) {
                producer.record("v1", i, order(i, i));
            }
            for (int i = 0; i < 40; i++) {
                producer.record("v1", i, order(i, 500 + i));
            }
            int produced = producer.size() + 10;
            producer.send(dir);
            Map<String, String> env = avroEnv(LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "AVRO_ORDERS", "orderid"),
                    registry);
            env.put(Setting.KAFKA_KEY_FORMAT.envName(), "string");
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced - 10);
                for (int i = 190; i < 200; i++) {
                    producer.record("v1", i, null); // keyed by the key's text
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced);
            }
            try (Connection c = pg.connect()) {
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", \"ORDERUNITS\" || '|' || \"_DELETED\" || '|' "
                        + "|| \"ADDRESS_ZIPCODE\" || '|' || coalesce(\"RECORD_METADATA\"->>'schema_id', 'none') FROM \"AVRO_ORDERS\"");
                assertEquals(200, rows.size());
                assertEquals("539|false|10039|1", rows.get(39L));
                assertEquals("40|false|10040|1", rows.get(40L));
                assertTrue(rows.get(190L).contains("|true|"), rows.get(190L));
                assertEquals(10, rows.values().stream().filter(r -> r.contains("|true|")).count());
            }
        }
    }

    @Test
    void avroOrdersWithUpdatesAndTombstonesLoadExactlyOnceIntoFakesnow(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("avro-snow");
        kafka.createTopic(topic, 2);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "avro")
                    .schema("v1", ORDER_V1);
            for (int i = 0; i < 60; i++) {
                producer.record("v1", i, order(i, i));
            }
            for (int i = 0; i < 10; i++) {
                producer.record("v1", i, order(i, 700 + i));
            }
            producer.send(dir);
            Map<String, String> env = avroEnv(LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "AVRO_ORDERS",
                    "orderid"), registry);
            env.put(Setting.KAFKA_KEY_FORMAT.envName(), "avro");
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> loader.committedRecords() == 70);
                for (int i = 50; i < 55; i++) {
                    producer.record("v1", i, null);
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(3)).until(() -> loader.committedRecords() == 75);
            }
            Properties p = new Properties();
            p.put("user", "CHECKER");
            p.put("password", "unused");
            p.put("db", "ANALYTICS");
            p.put("schema", "RAW");
            try (Connection c = DriverManager.getConnection(fakesnow.jdbcUrl(), p)) {
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", CAST(\"ORDERUNITS\" AS VARCHAR) || '|' || "
                        + "CAST(\"_DELETED\" AS VARCHAR) || '|' || \"ADDRESS_CITY\" FROM \"ANALYTICS\".\"RAW\".\"AVRO_ORDERS\"");
                assertEquals(60, rows.size());
                assertEquals("709|false|City_9", rows.get(9L).replace(".0|", "|"), "the update wins");
                assertEquals("10|false|City_10", rows.get(10L).replace(".0|", "|"));
                assertTrue(rows.get(52L).contains("|true|"), rows.get(52L));
                assertEquals(5, rows.values().stream().filter(r -> r.contains("|true|")).count());
            }
        }
    }

    static Map<String, String> avroEnv(Map<String, String> env, InMemorySchemaRegistry registry) {
        env.put(Setting.KAFKA_VALUE_FORMAT.envName(), "avro");
        env.put(Setting.KAFKA_KEY_FORMAT.envName(), "string");
        env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
        return env;
    }

    static Map<String, String> duckTypes(Connection c, String table) throws SQLException {
        Map<String, String> types = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT column_name, data_type FROM "
                + "information_schema.columns WHERE table_name = '" + table + "'")) {
            while (rs.next()) {
                types.put(rs.getString(1), rs.getString(2));
            }
        }
        return types;
    }

    /** First column (a long) → second column (text). */
    static Map<Long, String> rows(Connection c, String sql) throws SQLException {
        Map<Long, String> rows = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.put(rs.getLong(1), rs.getString(2));
            }
        }
        return rows;
    }
}
