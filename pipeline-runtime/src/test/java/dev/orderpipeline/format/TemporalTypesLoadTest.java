package dev.orderpipeline.format;

import static dev.orderpipeline.format.ConfluentAvroLoadTest.avroEnv;
import static dev.orderpipeline.format.ConfluentProtobufLoadTest.protobufEnv;
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
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema's dates and times become native columns (TIMESTAMP_TZ / timestamptz / TIMESTAMPTZ for instants,
 * DATE, TIME, TIMESTAMP_NTZ / timestamp for wall-clock timestamps), value by value to the microsecond, in DuckDB,
 * PostgreSQL and fakesnow, from records written by Confluent's own serializers; the column types are read back
 * from each warehouse's catalog.
 */
@ExtendWith(KafkaExtension.class)
class TemporalTypesLoadTest {
    static final String AVRO_WHEN = """
            {"type":"record","name":"When","namespace":"dev.orderpipeline.when","fields":[
              {"name":"id","type":"long"},
              {"name":"at_ms","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"at_us","type":{"type":"long","logicalType":"timestamp-micros"}},
              {"name":"local_us","type":{"type":"long","logicalType":"local-timestamp-micros"}},
              {"name":"day","type":{"type":"int","logicalType":"date"}},
              {"name":"t_us","type":{"type":"long","logicalType":"time-micros"}},
              {"name":"t_ms","type":{"type":"int","logicalType":"time-millis"}},
              {"name":"maybe_at","type":["null",{"type":"long","logicalType":"timestamp-micros"}],"default":null},
              {"name":"history","type":{"type":"array","items":{"type":"long","logicalType":"timestamp-micros"}}}
            ]}""";

    @TempDir
    Path dir;

    @Test
    void avroTimestampsDatesAndTimesArriveAsNativeColumnsToTheMicrosecondInDuckDbPostgresAndFakesnow(EmbeddedKafka kafka)
            throws Exception {
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("id", 1);
        first.put("at_ms", Map.of("$timestamp_millis", 1_764_655_463_123L));
        first.put("at_us", Map.of("$timestamp_micros", 1_764_655_463_123_456L));
        first.put("local_us", Map.of("$local_timestamp", "2025-12-02T06:04:23.000001"));
        first.put("day", Map.of("$date", "2026-12-02"));
        first.put("t_us", Map.of("$time", "06:04:23.123456"));
        first.put("t_ms", Map.of("$time", "23:59:59.999"));
        first.put("maybe_at", null);
        first.put("history", List.of(Map.of("$timestamp_micros", 1_764_655_463_123_456L)));
        Map<String, Object> second = new LinkedHashMap<>(first);
        second.put("id", 2);
        second.put("at_us", Map.of("$timestamp_micros", -1L)); // before the epoch: floor, not truncation
        second.put("local_us", Map.of("$local_timestamp", "9999-12-31T23:59:59.999999"));
        second.put("day", Map.of("$date", "0001-01-01"));
        second.put("maybe_at", Map.of("$timestamp_micros", 1L));
        String topic = SharedKafka.uniqueTopic("avro-when");
        kafka.createTopic(topic, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("when", AVRO_WHEN).record("when", 1, first).record("when", 2, second).send(dir);
            Path db = dir.resolve("w.duckdb");
            loadEverywhere(List.of(
                    avroEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "id"), registry),
                    avroEnv(LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "WHEN_AVRO", "id"), registry),
                    avroEnv(LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "WHEN_AVRO", "id"), registry)), 2);
            try (Warehouses w = new Warehouses(db, pg, fakesnow, "WHEN_AVRO")) {
                for (Warehouses.Target t : w.all()) {
                    String select = "SELECT \"AT_MS\", \"AT_US\", \"LOCAL_US\", \"DAY\", " + t.timeText("T_US") + ", "
                            + t.timeText("T_MS") + ", \"MAYBE_AT\", \"HISTORY\" FROM " + t.table() + " WHERE \"ID\" = ";
                    try (Statement s = t.connection().createStatement(); ResultSet rs = s.executeQuery(select + 1)) {
                        assertTrue(rs.next(), t.name());
                        assertEquals(Instant.parse("2025-12-02T06:04:23.123Z"), instant(rs, 1), t.name() + " timestamp-millis");
                        assertEquals(Instant.parse("2025-12-02T06:04:23.123456Z"), instant(rs, 2), t.name() + " timestamp-micros");
                        assertEquals(LocalDateTime.parse("2025-12-02T06:04:23.000001"), local(rs, 3), t.name() + " local-timestamp");
                        assertEquals(LocalDate.parse("2026-12-02"), date(rs, 4), t.name() + " date");
                        assertEquals(LocalTime.parse("06:04:23.123456"), time(rs, 5), t.name() + " time-micros");
                        assertEquals(LocalTime.parse("23:59:59.999"), time(rs, 6), t.name() + " time-millis");
                        assertNull(instant(rs, 7), t.name() + " a null timestamp");
                        assertEquals("[\"2025-12-02T06:04:23.123456Z\"]", rs.getString(8).replace(" ", "").replace("\n", ""),
                                t.name() + " inside JSON, ISO-8601 text");
                    }
                    try (Statement s = t.connection().createStatement(); ResultSet rs = s.executeQuery(select + 2)) {
                        assertTrue(rs.next(), t.name());
                        assertEquals(Instant.parse("1969-12-31T23:59:59.999999Z"), instant(rs, 2), t.name() + " before 1970");
                        assertEquals(LocalDateTime.parse("9999-12-31T23:59:59.999999"), local(rs, 3), t.name() + " year 9999");
                        assertEquals(LocalDate.parse("0001-01-01"), date(rs, 4), t.name() + " year 1");
                        assertEquals(Instant.parse("1970-01-01T00:00:00.000001Z"), instant(rs, 7), t.name() + " one microsecond");
                    }
                    Map<String, String> types = t.types();
                    assertEquals(t.expect("TIMESTAMP WITH TIME ZONE", "timestamp with time zone", "TIMESTAMP_TZ"),
                            types.get("AT_MS"), t.name());
                    assertEquals(types.get("AT_MS"), types.get("AT_US"), t.name());
                    assertEquals(types.get("AT_MS"), types.get("MAYBE_AT"), t.name() + " a nullable timestamp");
                    assertEquals(t.expect("TIMESTAMP", "timestamp without time zone", "TIMESTAMP_NTZ"),
                            types.get("LOCAL_US"), t.name());
                    assertEquals(t.expect("DATE", "date", "DATE"), types.get("DAY"), t.name());
                    assertEquals(t.expect("TIME", "time without time zone", "TIME"), types.get("T_US"), t.name());
                }
            }
        }
    }

    static final String PROTO_WHEN_FILE = """
            {"name":"dev/orderpipeline/test/when.proto","package":"dev.orderpipeline.when","syntax":"proto3",
             "dependency":["google/protobuf/timestamp.proto","google/type/date.proto","google/type/timeofday.proto",
                           "confluent/type/decimal.proto","confluent/meta.proto"],
             "messageType":[{"name":"When","field":[
               {"name":"id","number":1,"type":"TYPE_INT64","label":"LABEL_OPTIONAL"},
               {"name":"at","number":2,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL","typeName":".google.protobuf.Timestamp"},
               {"name":"day","number":3,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL","typeName":".google.type.Date"},
               {"name":"opens","number":4,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL","typeName":".google.type.TimeOfDay"},
               {"name":"price","number":5,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL","typeName":".confluent.type.Decimal",
                "options":{"[confluent.field_meta]":{"params":{"precision":"10","scale":"2"}}}},
               {"name":"big","number":6,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL","typeName":".confluent.type.Decimal",
                "options":{"[confluent.field_meta]":{"params":{"precision":"30","scale":"5"}}}},
               {"name":"discount","number":7,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL","typeName":".confluent.type.Decimal"},
               {"name":"later","number":8,"type":"TYPE_MESSAGE","label":"LABEL_OPTIONAL","typeName":".google.protobuf.Timestamp"},
               {"name":"history","number":9,"type":"TYPE_MESSAGE","label":"LABEL_REPEATED","typeName":".google.protobuf.Timestamp"}
             ]}]}""";
    static final String PROTO_WHEN = "{\"files\":[" + PROTO_WHEN_FILE + "],\"message\":\"dev.orderpipeline.when.When\"}";

    /** confluent.type.Decimal's JSON mapping: the unscaled value's two's-complement bytes (Base64), precision, scale. */
    static Map<String, Object> decimal(String text, int precision) {
        BigDecimal d = new BigDecimal(text);
        BigInteger unscaled = d.unscaledValue();
        return Map.of("value", Base64.getEncoder().encodeToString(unscaled.toByteArray()), "precision", precision,
                "scale", d.scale());
    }

    @Test
    void protobufTimestampDateTimeOfDayAndConfluentDecimalArriveAsNativeColumnsInDuckDbPostgresAndFakesnow(
            EmbeddedKafka kafka) throws Exception {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", 1);
        v.put("at", "2025-12-02T06:04:23.123456Z");
        v.put("day", Map.of("year", 2026, "month", 12, "day", 2));
        v.put("opens", Map.of("hours", 6, "minutes", 4, "seconds", 23, "nanos", 123_456_000));
        v.put("price", decimal("12.34", 10));
        v.put("big", decimal("1234567890123456789012345.12345", 30));
        v.put("discount", decimal("-0.05", 3));
        v.put("history", List.of("2025-12-02T06:04:23.123456Z"));
        String topic = SharedKafka.uniqueTopic("proto-when");
        kafka.createTopic(topic, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "protobuf", "string")
                    .schema("when", PROTO_WHEN).record("when", 1, v).send(dir);
            Path db = dir.resolve("w.duckdb");
            loadEverywhere(List.of(
                    protobufEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "id"), registry, "string"),
                    protobufEnv(LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "WHEN_PROTO", "id"), registry, "string"),
                    protobufEnv(LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "WHEN_PROTO", "id"), registry,
                            "string")), 1);
            try (Warehouses w = new Warehouses(db, pg, fakesnow, "WHEN_PROTO")) {
                for (Warehouses.Target t : w.all()) {
                    try (Statement s = t.connection().createStatement(); ResultSet rs = s.executeQuery("SELECT \"AT\", \"DAY\", "
                            + t.timeText("OPENS") + ", \"PRICE\", \"BIG\", \"DISCOUNT\", \"LATER\", \"HISTORY\" FROM " + t.table())) {
                        assertTrue(rs.next(), t.name());
                        assertEquals(Instant.parse("2025-12-02T06:04:23.123456Z"), instant(rs, 1), t.name() + " Timestamp");
                        assertEquals(LocalDate.parse("2026-12-02"), date(rs, 2), t.name() + " google.type.Date");
                        assertEquals(LocalTime.parse("06:04:23.123456"), time(rs, 3), t.name() + " google.type.TimeOfDay");
                        assertEquals(0, new BigDecimal("12.34").compareTo(rs.getBigDecimal(4)), t.name() + " Decimal(10,2)");
                        assertEquals("1234567890123456789012345.12345", rs.getString(5), t.name() + " Decimal(30,5): exact text");
                        assertEquals(0, new BigDecimal("-0.05").compareTo(rs.getBigDecimal(6)), t.name() + " a negative Decimal");
                        assertNull(instant(rs, 7), t.name() + " an unset Timestamp");
                        assertEquals("[\"2025-12-02T06:04:23.123456Z\"]", rs.getString(8).replace(" ", "").replace("\n", ""),
                                t.name() + " repeated Timestamps: JSON of ISO-8601 text");
                    }
                    Map<String, String> types = t.types();
                    assertEquals(t.expect("TIMESTAMP WITH TIME ZONE", "timestamp with time zone", "TIMESTAMP_TZ"),
                            types.get("AT"), t.name());
                    assertEquals(t.expect("DATE", "date", "DATE"), types.get("DAY"), t.name());
                    assertEquals(t.expect("TIME", "time without time zone", "TIME"), types.get("OPENS"), t.name());
                    assertEquals(t.expect("DECIMAL(38,18)", "numeric", "NUMBER"), types.get("PRICE"), t.name());
                    assertEquals(types.get("PRICE"), types.get("DISCOUNT"), t.name() + " a Decimal without field_meta");
                    assertEquals(t.expect("VARCHAR", "text", "TEXT"), types.get("BIG"), t.name());
                    assertEquals(types.get("AT"), types.get("LATER"), t.name());
                }
            }
        }
    }

    @Test
    void jsonSchemaDateTimeAndDateAreNativeColumnsAndATimestampWithoutOffsetIsDeadLetteredNamingItsColumn(
            EmbeddedKafka kafka) throws Exception {
        String schema = """
                {"type":"object","properties":{
                  "id":{"type":"integer"},
                  "at":{"type":"string","format":"date-time"},
                  "day":{"type":"string","format":"date"},
                  "opens":{"type":"string","format":"time"}}}""";
        String topic = SharedKafka.uniqueTopic("json-when");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start();
             EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "json_sr", "string").schema("v1", schema)
                    .record("v1", 1, Map.<String, Object>of("id", 1, "at", "2025-12-02T07:04:23.123456+01:00", "day", "2026-12-02",
                            "opens", "06:04:23Z"))
                    .record("v1", 2, Map.<String, Object>of("id", 2, "at", "2025-12-02T06:04:23", "day", "2026-12-02", "opens", "x"))
                    .send(dir);
            Path db = dir.resolve("w.duckdb");
            List<Map<String, String>> envs = List.of(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "id"),
                    LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "WHEN_JSON", "id"));
            envs.get(1).put(Setting.PIPELINE_NAME.envName(), "when-json-pg");
            for (Map<String, String> env : envs) {
                env.put(Setting.KAFKA_VALUE_FORMAT.envName(), "json_sr");
                env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
                env.put(Setting.ERROR_TOLERANCE.envName(), "all");
                env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
                try (InProcessLoader loader = InProcessLoader.start(env)) {
                    await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 2);
                    assertEquals(1, loader.status().snapshot().recordsLoaded());
                }
            }
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + db); Connection pgc = pg.connect()) {
                for (Connection c : List.of(duck, pgc)) {
                    String table = c == duck ? "\"main\".\"ORDERS\"" : "\"WHEN_JSON\"";
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                            "SELECT \"ID\", \"AT\", \"DAY\", \"OPENS\" FROM " + table)) {
                        assertTrue(rs.next());
                        assertEquals(1L, rs.getLong(1), "only the record with an instant was loaded");
                        assertEquals(Instant.parse("2025-12-02T06:04:23.123456Z"), instant(rs, 2), "its offset applied");
                        assertEquals(LocalDate.parse("2026-12-02"), date(rs, 3));
                        assertEquals("06:04:23Z", rs.getString(4), "format time carries an offset: kept as text");
                        assertTrue(!rs.next());
                    }
                }
                assertEquals("TIMESTAMP WITH TIME ZONE", ConfluentAvroLoadTest.duckTypes(duck, "ORDERS").get("AT"));
                assertEquals("DATE", ConfluentAvroLoadTest.duckTypes(duck, "ORDERS").get("DAY"));
                assertEquals("timestamp with time zone", pgTypes(pgc, "WHEN_JSON").get("AT"));
            }
            List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
            assertEquals(2, dead.size(), "one per warehouse");
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                String why = new String(r.headers().lastHeader(DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE).value(),
                        StandardCharsets.UTF_8);
                assertTrue(why.startsWith("the value '2025-12-02T06:04:23' does not fit column AT of type TIMESTAMP: "
                        + "TIMESTAMP holds instants of the years 1 to 9999 to the microsecond, as text only ISO-8601 with "
                        + "an offset"), why);
            }
        }
    }

    @Test
    void aTimestampFieldThatBecomesAStringIsRefusedNamingSubjectAndVersionAndItsRecordsAreDeadLettered(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("avro-when-incompatible");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        String v1 = """
                {"type":"record","name":"Shipment","fields":[{"name":"id","type":"long"},
                  {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}}]}""";
        String atAsText = v1.replace("{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}", "\"string\"")
                .replace("Shipment", "OtherShipment");
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = avroEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "id"), registry);
            env.put(Setting.ERROR_TOLERANCE.envName(), "all");
            env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("v1", v1).schema("text", atAsText)
                    .record("v1", 1, Map.<String, Object>of("id", 1, "at", Map.of("$timestamp_micros", 1_764_655_463_123_456L)))
                    .record("text", 2, Map.<String, Object>of("id", 2, "at", "2025-12-02T06:04:23.123456Z"), "another-topic")
                    .record("v1", 3, Map.<String, Object>of("id", 3, "at", Map.of("$timestamp_micros", 0L)))
                    .send(dir);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 3);
                assertEquals(2, loader.status().snapshot().recordsLoaded());
            }
            List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
            assertEquals(1, dead.size());
            String why = new String(dead.get(0).headers().lastHeader(DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE).value(),
                    StandardCharsets.UTF_8);
            assertTrue(why.startsWith("schema id 2 (subject another-topic-value version 1) declares the field '/at' as "
                    + "VARCHAR, but its column AT is TIMESTAMP: an incompatible schema change"), why);
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                assertEquals("TIMESTAMP WITH TIME ZONE", ConfluentAvroLoadTest.duckTypes(c, "ORDERS").get("AT"),
                        "the column keeps its type");
            }
        }
    }

    private static void loadEverywhere(List<Map<String, String>> envs, int records) throws Exception {
        for (int i = 0; i < envs.size(); i++) {
            envs.get(i).put(Setting.PIPELINE_NAME.envName(), "when-" + i);
            try (InProcessLoader loader = InProcessLoader.start(envs.get(i))) {
                await().atMost(Duration.ofMinutes(3)).until(() -> loader.committedRecords() == records);
                assertEquals(records, loader.status().snapshot().recordsLoaded(), "nothing dead-lettered");
            }
        }
    }

    /** An instant: JDBC 4.2's OffsetDateTime where the driver has it, else the driver's Timestamp (an instant too). */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        try {
            OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        } catch (SQLException | RuntimeException unsupported) {
            java.sql.Timestamp t = rs.getTimestamp(column);
            return t == null ? null : t.toInstant();
        }
    }

    static LocalDateTime local(ResultSet rs, int column) throws SQLException {
        try {
            return rs.getObject(column, LocalDateTime.class);
        } catch (SQLException | RuntimeException unsupported) {
            java.sql.Timestamp t = rs.getTimestamp(column);
            return t == null ? null : t.toLocalDateTime();
        }
    }

    static LocalDate date(ResultSet rs, int column) throws SQLException {
        try {
            return rs.getObject(column, LocalDate.class);
        } catch (SQLException | RuntimeException unsupported) {
            String s = rs.getString(column);
            return s == null ? null : LocalDate.parse(s);
        }
    }

    /** JDBC 4.2's LocalTime (PostgreSQL), else ISO-8601 text: DuckDB's, or a TIME cast to text on fakesnow. */
    static LocalTime time(ResultSet rs, int column) throws SQLException {
        if (rs.getMetaData().getColumnType(column) == java.sql.Types.VARCHAR) {
            String s = rs.getString(column);
            return s == null ? null : LocalTime.parse(s.trim());
        }
        try {
            return rs.getObject(column, LocalTime.class);
        } catch (SQLException | RuntimeException unsupported) {
            String s = rs.getString(column);
            return s == null ? null : LocalTime.parse(s.trim());
        }
    }

    static Map<String, String> pgTypes(Connection c, String table) throws SQLException {
        Map<String, String> types = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT column_name, data_type FROM "
                + "information_schema.columns WHERE table_name = '" + table + "'")) {
            while (rs.next()) {
                types.put(rs.getString(1), rs.getString(2));
            }
        }
        return types;
    }

    /** The three warehouses a test loaded, each with its connection, table name and catalog types. */
    private static final class Warehouses implements AutoCloseable {
        record Target(String name, Connection connection, String table, String catalogTable) {
            Map<String, String> types() throws SQLException {
                return name.equals("duckdb") ? ConfluentAvroLoadTest.duckTypes(connection, catalogTable)
                        : pgTypes(connection, catalogTable);
            }

            /**
             * A TIME column as the test reads it: as is, or on fakesnow as its text, every digit (Snowflake's driver
             * keeps only milliseconds of a TIME, see the README's known limits; the column holds them all).
             */
            String timeText(String column) {
                return name.equals("fakesnow") ? "CAST(\"" + column + "\" AS VARCHAR)" : "\"" + column + "\"";
            }

            String expect(String duckdb, String postgres, String snowflake) {
                return name.equals("duckdb") ? duckdb : name.equals("postgres") ? postgres : snowflake;
            }
        }

        private final List<Target> all;

        Warehouses(Path db, EmbeddedPostgres pg, FakesnowServer fakesnow, String table) throws SQLException {
            Properties p = new Properties();
            p.put("user", "CHECKER");
            p.put("password", "unused");
            p.put("db", "ANALYTICS");
            p.put("schema", "RAW");
            all = List.of(new Target("duckdb", DriverManager.getConnection("jdbc:duckdb:" + db), "\"main\".\"ORDERS\"", "ORDERS"),
                    new Target("postgres", pg.connect(), "\"" + table + "\"", table),
                    new Target("fakesnow", DriverManager.getConnection(fakesnow.jdbcUrl(), p),
                            "\"ANALYTICS\".\"RAW\".\"" + table + "\"", table));
        }

        List<Target> all() {
            return all;
        }

        @Override
        public void close() throws SQLException {
            for (Target t : all) {
                t.connection().close();
            }
        }
    }
}
