package dev.orderpipeline.format;

import static dev.orderpipeline.format.ConfluentAvroLoadTest.duckTypes;
import static dev.orderpipeline.format.ConfluentAvroLoadTest.rows;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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
 * Protobuf topics in Confluent's wire format, written by Confluent's own ProtobufSerializer (confluent-kafka, its
 * message classes made from descriptors without protoc, registered in {@link InMemorySchemaRegistry}), loaded by
 * the real loader into real warehouses.
 */
@ExtendWith(KafkaExtension.class)
class ConfluentProtobufLoadTest {
    /** An imported file of the user's own: Confluent's serializer registers it as a schema reference. */
    static final String ADDRESS_FILE = """
            {"name":"dev/orderpipeline/test/address.proto","package":"dev.orderpipeline.test","syntax":"proto3",
             "messageType":[{"name":"Address","field":[
               {"name":"city","number":1,"type":"TYPE_STRING","label":"LABEL_OPTIONAL"},
               {"name":"state","number":2,"type":"TYPE_STRING","label":"LABEL_OPTIONAL"},
               {"name":"zipcode","number":3,"type":"TYPE_INT64","label":"LABEL_OPTIONAL"}]}]}""";
    /** OrderKey is message 0 (the indexes' one-zero shortcut), Order message 1 (an explicit index list). */
    static final String ORDERS_FILE = """
            {"name":"dev/orderpipeline/test/orders.proto","package":"dev.orderpipeline.test","syntax":"proto3",
             "dependency":["dev/orderpipeline/test/address.proto","google/protobuf/wrappers.proto"],
             "messageType":[
              {"name":"OrderKey","field":[{"name":"orderid","number":1,"type":"TYPE_INT32","label":"LABEL_OPTIONAL"}]},
              {"name":"Order","field":[
               {"name":"ordertime","number":1,"type":"TYPE_INT64","label":"LABEL_OPTIONAL"},
               {"name":"orderid","number":2,"type":"TYPE_INT32","label":"LABEL_OPTIONAL"},
               {"name":"itemid","number":3,"type":"TYPE_STRING","label":"LABEL_OPTIONAL"},
               {"name":"orderunits","number":4,"type":"TYPE_DOUBLE","label":"LABEL_OPTIONAL"},
               {"name":"address","number":5,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".dev.orderpipeline.test.Address"},
               {"name":"coupon","number":6,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".google.protobuf.StringValue"}]}]}""";
    static final String ORDER = "{\"files\":[" + ADDRESS_FILE + "," + ORDERS_FILE + "],\"message\":\"dev.orderpipeline.test.Order\"}";
    static final String ORDER_KEY = "{\"files\":[" + ADDRESS_FILE + "," + ORDERS_FILE + "],"
            + "\"message\":\"dev.orderpipeline.test.OrderKey\"}";

    @TempDir
    Path dir;

    static Map<String, Object> order(int id, double units) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ordertime", 1_700_000_000_000L + id);
        v.put("orderid", id);
        v.put("itemid", "Item_" + id);
        v.put("orderunits", units);
        v.put("address", Map.of("city", "City_" + id, "state", "State_" + id, "zipcode", 10_000 + id));
        return v;
    }

    static Map<String, Object> key(int id) {
        return Map.of("orderid", id);
    }

    static Map<String, String> protobufEnv(Map<String, String> env, InMemorySchemaRegistry registry, String keyFormat) {
        env.put(Setting.KAFKA_VALUE_FORMAT.envName(), "protobuf");
        env.put(Setting.KAFKA_KEY_FORMAT.envName(), keyFormat);
        env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
        return env;
    }

    @Test
    void protobufOrdersWithProtobufKeysUpdatesAndTombstonesLoadExactlyOnceIntoDuckDb(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("proto-orders");
        kafka.createTopic(topic, 3);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry("sr-key", "sr-secret").start()) {
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic,
                    "protobuf", "protobuf").credentials("sr-key", "sr-secret").schema("v1", ORDER).keySchema(ORDER_KEY);
            for (int i = 0; i < 300; i++) {
                producer.record("v1", key(i), order(i, i + 0.5));
            }
            for (int i = 0; i < 100; i++) {
                Map<String, Object> update = order(i, 1000 + i + 0.25);
                update.put("coupon", "SAVE" + i);
                producer.record("v1", key(i), update);
            }
            int produced = producer.size() + 20;
            producer.send(dir);

            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = protobufEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"),
                    registry, "protobuf");
            env.put(Setting.SCHEMA_REGISTRY_USERNAME.envName(), "sr-key");
            env.put(Setting.SCHEMA_REGISTRY_PASSWORD.envName(), "sr-secret");
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced - 20);
                for (int i = 250; i < 270; i++) {
                    producer.record("v1", key(i), null); // tombstones keyed by a Protobuf OrderKey
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced);
                assertEquals(produced, loader.status().snapshot().recordsLoaded());
                assertEquals(0, loader.status().snapshot().recordsDeadLettered());
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                Map<String, String> types = duckTypes(c, "ORDERS");
                assertEquals("BIGINT", types.get("ORDERID"));
                assertEquals("DOUBLE", types.get("ORDERUNITS"));
                assertEquals("BIGINT", types.get("ADDRESS_ZIPCODE"), "a message from an imported file, flattened");
                assertEquals("VARCHAR", types.get("ADDRESS_CITY"));
                assertEquals("VARCHAR", types.get("COUPON"), "a StringValue wrapper is a nullable text column");
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", \"ORDERUNITS\" || '|' || \"_DELETED\" || '|' "
                        + "|| \"ADDRESS_CITY\" || '|' || coalesce(\"COUPON\", 'null') || '|' "
                        + "|| coalesce(\"RECORD_METADATA\"->>'schema_id', 'none') || '|' "
                        + "|| coalesce(\"RECORD_METADATA\"->>'key_schema_id', 'none') FROM \"main\".\"ORDERS\"");
                assertEquals(300, rows.size(), "one row per key");
                int valueId = registry.id(topic + "-value", 1);
                int keyId = registry.id(topic + "-key", 1);
                assertEquals(valueId, keyId, "one file holds both messages: one schema, told apart by the message indexes");
                String ids = "|" + valueId + "|" + keyId;
                assertEquals("1000.25|false|City_0|SAVE0" + ids, rows.get(0L));
                assertEquals("1099.25|false|City_99|SAVE99" + ids, rows.get(99L));
                assertEquals("249.5|false|City_249|null" + ids, rows.get(249L));
                assertTrue(rows.get(250L).contains("|true|"), rows.get(250L));
                assertEquals("299.5|false|City_299|null" + ids, rows.get(299L));
                assertEquals(20, rows.values().stream().filter(r -> r.contains("|true|")).count());
            }
        }
    }

    /** Every scalar type, the well-known types, a nested message, a oneof, proto3 optional, repeated and map. */
    static final String TYPED_FILE = """
            {"name":"dev/orderpipeline/test/typed.proto","package":"dev.orderpipeline.typed","syntax":"proto3",
             "dependency":["google/protobuf/timestamp.proto","google/protobuf/duration.proto",
                           "google/protobuf/wrappers.proto","google/protobuf/struct.proto"],
             "enumType":[{"name":"Status","value":[{"name":"NEW","number":0},{"name":"SHIPPED","number":1}]}],
             "messageType":[{"name":"Typed",
              "field":[
               {"name":"id","number":1,"type":"TYPE_INT64","label":"LABEL_OPTIONAL"},
               {"name":"i32","number":2,"type":"TYPE_INT32","label":"LABEL_OPTIONAL"},
               {"name":"u32","number":3,"type":"TYPE_UINT32","label":"LABEL_OPTIONAL"},
               {"name":"s32","number":4,"type":"TYPE_SINT32","label":"LABEL_OPTIONAL"},
               {"name":"f32","number":5,"type":"TYPE_FIXED32","label":"LABEL_OPTIONAL"},
               {"name":"sf64","number":6,"type":"TYPE_SFIXED64","label":"LABEL_OPTIONAL"},
               {"name":"u64","number":7,"type":"TYPE_UINT64","label":"LABEL_OPTIONAL"},
               {"name":"ratio","number":8,"type":"TYPE_FLOAT","label":"LABEL_OPTIONAL"},
               {"name":"price","number":9,"type":"TYPE_DOUBLE","label":"LABEL_OPTIONAL"},
               {"name":"flag","number":10,"type":"TYPE_BOOL","label":"LABEL_OPTIONAL"},
               {"name":"raw","number":11,"type":"TYPE_BYTES","label":"LABEL_OPTIONAL"},
               {"name":"status","number":12,"type":"TYPE_ENUM","label":"LABEL_OPTIONAL",
                "typeName":".dev.orderpipeline.typed.Status"},
               {"name":"at","number":13,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".google.protobuf.Timestamp"},
               {"name":"took","number":14,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".google.protobuf.Duration"},
               {"name":"maybe_count","number":15,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".google.protobuf.Int64Value"},
               {"name":"note","number":16,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".google.protobuf.StringValue"},
               {"name":"tags","number":17,"type":"TYPE_STRING","label":"LABEL_REPEATED"},
               {"name":"attrs","number":18,"type":"TYPE_MESSAGE","label":"LABEL_REPEATED",
                "typeName":".dev.orderpipeline.typed.Typed.AttrsEntry"},
               {"name":"inner","number":19,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".dev.orderpipeline.typed.Typed.Inner"},
               {"name":"by_name","number":20,"type":"TYPE_STRING","label":"LABEL_OPTIONAL","oneofIndex":0},
               {"name":"by_number","number":21,"type":"TYPE_INT64","label":"LABEL_OPTIONAL","oneofIndex":0},
               {"name":"nickname","number":22,"type":"TYPE_STRING","label":"LABEL_OPTIONAL","oneofIndex":1,
                "proto3Optional":true},
               {"name":"meta","number":23,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".google.protobuf.Struct"},
               {"name":"zero","number":24,"type":"TYPE_INT32","label":"LABEL_OPTIONAL"},
               {"name":"later","number":25,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL",
                "typeName":".google.protobuf.Timestamp"}],
              "nestedType":[
               {"name":"AttrsEntry","options":{"mapEntry":true},"field":[
                 {"name":"key","number":1,"type":"TYPE_STRING","label":"LABEL_OPTIONAL"},
                 {"name":"value","number":2,"type":"TYPE_INT64","label":"LABEL_OPTIONAL"}]},
               {"name":"Inner","field":[
                 {"name":"label","number":1,"type":"TYPE_STRING","label":"LABEL_OPTIONAL"},
                 {"name":"n","number":2,"type":"TYPE_INT32","label":"LABEL_OPTIONAL"}]}],
              "oneofDecl":[{"name":"choice"},{"name":"_nickname"}]}]}""";
    static final String TYPED = "{\"files\":[" + TYPED_FILE + "],\"message\":\"dev.orderpipeline.typed.Typed\"}";

    @Test
    void everyProtobufTypeArrivesValueByValueInDuckDbPostgresAndFakesnow(EmbeddedKafka kafka) throws Exception {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", 1);
        v.put("i32", -5);
        v.put("u32", 4_000_000_000L);
        v.put("s32", -7);
        v.put("f32", 4_294_967_295L);
        v.put("sf64", -9_000_000_000L);
        v.put("u64", "18446744073709551615");
        v.put("ratio", 0.1);
        v.put("price", 12.5);
        v.put("flag", true);
        v.put("raw", "AAEC/w==");
        v.put("status", "SHIPPED");
        v.put("at", "2026-12-02T06:04:23.123456Z");
        v.put("took", "1.500s");
        v.put("note", "hi");
        v.put("tags", List.of("a", "b"));
        v.put("attrs", Map.of("x", 1));
        v.put("inner", Map.of("label", "deep", "n", 3));
        v.put("by_number", 42);
        v.put("meta", Map.of("k", List.of(1, "two")));
        String topic = SharedKafka.uniqueTopic("proto-typed");
        kafka.createTopic(topic, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "protobuf", "string")
                    .schema("typed", TYPED).record("typed", 1, v).send(dir);
            Path db = dir.resolve("w.duckdb");
            List<Map<String, String>> envs = List.of(
                    protobufEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "id"), registry, "string"),
                    protobufEnv(LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "TYPED", "id"), registry, "string"),
                    protobufEnv(LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "TYPED", "id"), registry,
                            "string"));
            envs.get(1).put(Setting.PIPELINE_NAME.envName(), "typed-pg");
            envs.get(2).put(Setting.PIPELINE_NAME.envName(), "typed-snow");
            for (Map<String, String> env : envs) {
                try (InProcessLoader loader = InProcessLoader.start(env)) {
                    await().atMost(Duration.ofMinutes(3)).until(() -> loader.committedRecords() == 1);
                    assertEquals(1, loader.status().snapshot().recordsLoaded());
                }
            }
            Properties p = new Properties();
            p.put("user", "CHECKER");
            p.put("password", "unused");
            p.put("db", "ANALYTICS");
            p.put("schema", "RAW");
            String select = "SELECT \"I32\", \"U32\", \"S32\", \"F32\", \"SF64\", \"U64\", \"RATIO\", \"PRICE\", \"FLAG\", "
                    + "\"RAW\", \"STATUS\", \"AT\", \"TOOK\", \"MAYBE_COUNT\", \"NOTE\", \"TAGS\", \"ATTRS\", \"INNER_LABEL\", "
                    + "\"INNER_N\", \"BY_NAME\", \"BY_NUMBER\", \"NICKNAME\", \"META\", \"ZERO\", \"LATER\" FROM ";
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + db); Connection pgc = pg.connect();
                 Connection snow = DriverManager.getConnection(fakesnow.jdbcUrl(), p)) {
                for (Connection c : List.of(duck, pgc, snow)) {
                    String table = c == duck ? "\"main\".\"ORDERS\"" : c == pgc ? "\"TYPED\"" : "\"ANALYTICS\".\"RAW\".\"TYPED\"";
                    String where = c == duck ? "duckdb" : c == pgc ? "postgres" : "fakesnow";
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select + table)) {
                        assertTrue(rs.next(), where);
                        assertEquals(-5L, rs.getLong(1), where + " int32");
                        assertEquals(4_000_000_000L, rs.getLong(2), where + " uint32 beyond an int");
                        assertEquals(-7L, rs.getLong(3), where + " sint32");
                        assertEquals(4_294_967_295L, rs.getLong(4), where + " fixed32");
                        assertEquals(-9_000_000_000L, rs.getLong(5), where + " sfixed64");
                        assertEquals(0, new BigDecimal("18446744073709551615").compareTo(rs.getBigDecimal(6)),
                                where + " uint64 beyond a long");
                        assertEquals(0.1, rs.getDouble(7), 0.0, where + " float as the double of its shortest spelling");
                        assertEquals(12.5, rs.getDouble(8), 0.0, where + " double");
                        assertTrue(rs.getBoolean(9), where + " bool");
                        assertEquals("AAEC/w==", rs.getString(10), where + " bytes as Base64");
                        assertEquals("SHIPPED", rs.getString(11), where + " enum by name");
                        assertEquals(Instant.parse("2026-12-02T06:04:23.123456Z"), TemporalTypesLoadTest.instant(rs, 12),
                                where + " Timestamp, to the microsecond");
                        assertEquals("PT1.5S", rs.getString(13), where + " Duration");
                        assertNull(rs.getString(14), where + " an unset Int64Value");
                        assertEquals("hi", rs.getString(15), where + " StringValue");
                        assertEquals("[\"a\",\"b\"]", compact(rs.getString(16)), where + " repeated");
                        assertEquals("{\"x\":1}", compact(rs.getString(17)), where + " map");
                        assertEquals("deep", rs.getString(18), where + " nested message, flattened");
                        assertEquals(3L, rs.getLong(19), where);
                        assertNull(rs.getString(20), where + " the oneof member not set");
                        assertEquals(42L, rs.getLong(21), where + " the oneof member set");
                        assertNull(rs.getString(22), where + " proto3 optional, unset");
                        assertEquals("{\"k\":[1.0,\"two\"]}", compact(rs.getString(23)), where + " Struct as its JSON");
                        assertEquals(0L, rs.getLong(24), where + " a proto3 scalar without presence reads its default");
                        assertTrue(!rs.wasNull(), where);
                        assertNull(rs.getString(25), where + " an unset Timestamp");
                    }
                }
                Map<String, String> types = duckTypes(duck, "ORDERS");
                assertEquals("BIGINT", types.get("U32"));
                assertEquals("DECIMAL(38,18)", types.get("U64"));
                assertEquals("DOUBLE", types.get("RATIO"));
                assertEquals("BOOLEAN", types.get("FLAG"));
                assertEquals("TIMESTAMP WITH TIME ZONE", types.get("AT"));
                assertEquals("VARCHAR", types.get("TOOK"), "a Duration is its ISO-8601 text");
                assertEquals("BIGINT", types.get("MAYBE_COUNT"), "a wrapper's column has the wrapped type");
                assertEquals("VARCHAR", types.get("NICKNAME"));
                assertEquals("BIGINT", types.get("BY_NUMBER"));
                assertEquals("VARCHAR", types.get("BY_NAME"));
                assertEquals("BIGINT", types.get("INNER_N"));
            }
        }
    }

    /** JSON text without the spaces a dialect may put in. */
    static String compact(String json) {
        return json == null ? null : json.replaceAll("\\s+", "");
    }

    @Test
    void whileTheRegistryIsDownNothingIsLoadedOrSkippedThenEveryProtobufRecordLoadsOnce(EmbeddedKafka kafka)
            throws Exception {
        RegistryOutageScenario.run(kafka, dir, "protobuf", ORDER, i -> order(i, i));
    }

    @Test
    void protobufOrdersWithUpdatesAndTombstonesLoadExactlyOnceIntoPostgresAndFakesnow(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("proto-pg-snow");
        kafka.createTopic(topic, 2);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic,
                    "protobuf", "string").schema("v1", ORDER);
            for (int i = 0; i < 60; i++) {
                producer.record("v1", i, order(i, i));
            }
            for (int i = 0; i < 10; i++) {
                producer.record("v1", i, order(i, 700 + i));
            }
            producer.send(dir);
            Map<String, String> pgEnv = protobufEnv(LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "PROTO_ORDERS",
                    "orderid"), registry, "string");
            Map<String, String> snowEnv = protobufEnv(LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow,
                    "PROTO_ORDERS", "orderid"), registry, "string");
            snowEnv.put(Setting.PIPELINE_NAME.envName(), "proto-snow");
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
                        + "|| \"ADDRESS_CITY\" FROM \"PROTO_ORDERS\"");
                Map<Long, String> snowRows = rows(snow, "SELECT \"ORDERID\", CAST(\"ORDERUNITS\" AS VARCHAR) || '|' || "
                        + "CAST(\"_DELETED\" AS VARCHAR) || '|' || \"ADDRESS_CITY\" FROM \"ANALYTICS\".\"RAW\".\"PROTO_ORDERS\"");
                for (Map<Long, String> rows : List.of(pgRows, snowRows)) {
                    assertEquals(60, rows.size());
                    assertEquals("709|false|City_9", rows.get(9L).replace(".0|", "|"), "the update wins");
                    assertEquals("10|false|City_10", rows.get(10L).replace(".0|", "|"));
                    assertTrue(rows.get(52L).contains("|true|"), rows.get(52L));
                    assertEquals(5, rows.values().stream().filter(r -> r.contains("|true|")).count());
                }
            }
        }
    }

    @Test
    void aNewProtobufSchemaVersionMidStreamAddsItsColumn(EmbeddedKafka kafka) throws Exception {
        // v2 lives in another package: Python's descriptor pool holds one definition per full name.
        String v2File = ORDERS_FILE.replace("\"package\":\"dev.orderpipeline.test\"", "\"package\":\"dev.orderpipeline.test.v2\"")
                .replace("orders.proto", "orders_v2.proto")
                .replace("\"typeName\":\".google.protobuf.StringValue\"}]}]}", "\"typeName\":\".google.protobuf.StringValue\"},"
                        + "{\"name\":\"quantity\",\"number\":7,\"type\":\"TYPE_UINT64\",\"label\":\"LABEL_OPTIONAL\"}]}]}");
        String orderV2 = "{\"files\":[" + ADDRESS_FILE + "," + v2File + "],\"message\":\"dev.orderpipeline.test.v2.Order\"}";
        String topic = SharedKafka.uniqueTopic("proto-evolve");
        kafka.createTopic(topic, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = protobufEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"),
                    registry, "string");
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic,
                    "protobuf", "string").schema("v1", ORDER).schema("v2", orderV2);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                for (int i = 0; i < 50; i++) {
                    producer.record("v1", i, order(i, i));
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 50);
                for (int i = 50; i < 100; i++) {
                    Map<String, Object> v2 = order(i, i);
                    v2.put("quantity", 5_000_000_000L + i);
                    producer.record("v2", i, v2);
                }
                producer.send(dir);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 100);
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                assertEquals("DECIMAL(38,18)", duckTypes(c, "ORDERS").get("QUANTITY"), "the new field's column, typed by the schema");
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", coalesce(CAST(\"QUANTITY\" AS BIGINT)::VARCHAR, 'null') "
                        + "|| '|' || (\"RECORD_METADATA\"->>'schema_id') FROM \"main\".\"ORDERS\"");
                int v1 = registry.id(topic + "-value", 1);
                int v2 = registry.id(topic + "-value", 2);
                assertEquals("null|" + v1, rows.get(10L));
                assertEquals("5000000077|" + v2, rows.get(77L));
            }
        }
    }

    @Test
    void anUnknownSchemaIdABadMessageIndexAndATruncatedPayloadGoToTheDeadLetterTopicWithTheCause(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("proto-bad");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "protobuf", "string")
                    .schema("v1", ORDER).record("v1", 1, order(1, 1)).send(dir);
            int id = registry.id(topic + "-value", 1);
            List<ProducerRecord<byte[], byte[]>> raw = new ArrayList<>();
            raw.add(new ProducerRecord<>(topic, "2".getBytes(StandardCharsets.UTF_8),
                    ByteBuffer.allocate(8).put((byte) 0).putInt(999).put(new byte[] {0, 8, 4}).array()));
            raw.add(new ProducerRecord<>(topic, "3".getBytes(StandardCharsets.UTF_8), // indexes [5]: no such message
                    ByteBuffer.allocate(9).put((byte) 0).putInt(id).put(new byte[] {2, 10, 8, 4}).array()));
            raw.add(new ProducerRecord<>(topic, "4".getBytes(StandardCharsets.UTF_8), // Order, a string cut short
                    ByteBuffer.allocate(10).put((byte) 0).putInt(id).put(new byte[] {2, 2, 0x1a, 9, 'x'}).array()));
            OrderTopics.produceRaw(kafka, topic, raw);
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = protobufEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"),
                    registry, "string");
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
            assertTrue(why.get("3").startsWith("the record's Protobuf message indexes [5] name no message of schema id " + id),
                    why.get("3"));
            assertTrue(why.get("4").startsWith("the payload is not Protobuf dev.orderpipeline.test.Order of schema id " + id),
                    why.get("4"));
        }
    }
}
