package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.schema.SchemaLimits;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.warehouse.DuckDbSql;
import dev.orderpipeline.schema.MetadataColumns;
import dev.orderpipeline.warehouse.PostgresSql;
import dev.orderpipeline.warehouse.SnowflakeSql;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.warehouse.WarehouseSql;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link HostileCorpus} through the real loader into each warehouse: the table holds exactly
 * what the corpus says, value by value and type by type, and the refused records are on the
 * dead-letter topic with the reason.
 */
@ExtendWith(KafkaExtension.class)
class HostileDataCorpusTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void duckDbHoldsExactlyWhatTheCorpusSays(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("hostile-duck");
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "");
        env.put(Setting.SINK_MAX_COLUMNS.envName(), Integer.toString(SchemaLimits.POSTGRES_MAX_COLUMNS));
        HostileCorpus corpus = new HostileCorpus(SchemaLimits.DEFAULT_MAX_NAME_LENGTH, SchemaLimits.POSTGRES_MAX_COLUMNS, true);
        load(kafka, topic, env, corpus);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
            assertTable(c, "\"main\".\"ORDERS\"", new DuckDbSql(SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS")), corpus);
        }
    }

    @Test
    void postgresHoldsExactlyWhatTheCorpusSaysWithinItsColumnAndNameLimits(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("hostile-pg");
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "HOSTILE", "");
            // No OPL_SINK_MAX_COLUMNS: PostgreSQL's own limit of 1600 applies, its names end at 63 characters.
            HostileCorpus corpus = new HostileCorpus(63, SchemaLimits.POSTGRES_MAX_COLUMNS, false);
            load(kafka, topic, env, corpus);
            try (Connection c = pg.connect()) {
                assertTable(c, "\"HOSTILE\"", new PostgresSql(SqlIdentifier.of("HOSTILE")), corpus);
            }
        }
    }

    @Test
    void snowflakeHoldsExactlyWhatTheCorpusSays(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("hostile-snow");
        try (FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            Map<String, String> env = LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "HOSTILE", "");
            env.put(Setting.SINK_MAX_COLUMNS.envName(), Integer.toString(SchemaLimits.POSTGRES_MAX_COLUMNS));
            HostileCorpus corpus = new HostileCorpus(SchemaLimits.DEFAULT_MAX_NAME_LENGTH, SchemaLimits.POSTGRES_MAX_COLUMNS, true);
            load(kafka, topic, env, corpus);
            try (Connection c = ExactlyOnceCrashTest.fakesnowConnection(fakesnow)) {
                assertTable(c, "\"ANALYTICS\".\"RAW\".\"HOSTILE\"",
                        new SnowflakeSql(SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"), SqlIdentifier.of("HOSTILE")), corpus);
            }
        }
    }

    /** Phase one, committed; then phase two; then the dead letters are checked against the corpus. */
    private static void load(EmbeddedKafka kafka, String topic, Map<String, String> env, HostileCorpus corpus) {
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(deadLetters, 1);
        env.put(Setting.ERROR_TOLERANCE.envName(), "all");
        env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            for (int phase = 1; phase <= 2; phase++) {
                int p = phase;
                List<HostileCorpus.Entry> entries = corpus.entries.stream().filter(e -> e.phase() == p).toList();
                OrderTopics.produceRaw(kafka, topic, entries.stream().map(e -> new ProducerRecord<>(topic,
                        e.key() != null ? e.key() : Long.toString(e.id()).getBytes(StandardCharsets.UTF_8),
                        e.json().getBytes(StandardCharsets.UTF_8))).toList());
                long produced = corpus.entries.stream().filter(e -> e.phase() <= p).count();
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced
                        || loader.failure() != null);
                assertEquals(null, loader.failure());
            }
        }
        Map<Long, String> expected = new TreeMap<>();
        corpus.entries.stream().filter(e -> e.deadLetterMessage() != null).forEach(e -> expected.put(e.id(), e.deadLetterMessage()));
        Map<Long, String> dead = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : OrderTopics.readAll(kafka, deadLetters)) {
            dead.put(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8)),
                    DeadLetterTest.header(r, DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE));
        }
        assertEquals(expected.keySet(), dead.keySet(), "dead-lettered: " + dead);
        expected.forEach((id, start) -> assertTrue(dead.get(id).startsWith(start), id + ": " + dead.get(id)));
    }

    /** Every data column and its type, then every row, value by value (a column the corpus does not name for a row is NULL). */
    private static void assertTable(Connection c, String table, WarehouseSql sql, HostileCorpus corpus) throws Exception {
        Map<String, ColumnType> types = new LinkedHashMap<>();
        Map<Long, Map<String, String>> rows = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String name = md.getColumnName(i).toUpperCase();
                if (!MetadataColumns.ALL.contains(SqlIdentifier.of(name))) {
                    ColumnType type = sql.logicalType(md.getColumnTypeName(i), md.getScale(i));
                    types.put(name, type);
                    if (type == ColumnType.DECIMAL) {
                        assertEquals(ColumnType.DECIMAL_SCALE, md.getScale(i), name);
                    }
                }
            }
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                for (Map.Entry<String, ColumnType> column : types.entrySet()) {
                    row.put(column.getKey(), normalized(rs, column.getKey(), column.getValue()));
                }
                rows.put(Long.parseLong(row.get("ID")), row);
            }
        }
        Map<String, ColumnType> expectedTypes = new TreeMap<>(corpus.columns);
        // DuckDB keeps JSON as VARCHAR: read back, the column is text holding the JSON.
        expectedTypes.replaceAll((column, type) -> type == ColumnType.VARIANT ? sql.logicalType(sql.typeName(type), 0) : type);
        assertEquals(expectedTypes, new TreeMap<>(types), "the table's columns and types");
        Map<Long, Map<String, String>> expected = new TreeMap<>();
        for (HostileCorpus.Entry e : corpus.entries) {
            if (e.values() != null) {
                Map<String, String> row = new HashMap<>();
                types.keySet().forEach(column -> row.put(column, null));
                e.values().forEach((column, value) -> row.put(column, normalizedExpectation(types.get(column), value)));
                expected.put(e.id(), row);
            }
        }
        assertEquals(expected.keySet(), rows.keySet(), "the rows loaded");
        expected.forEach((id, row) -> assertEquals(new TreeMap<>(row), new TreeMap<>(rows.get(id)), "row " + id));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT \"RECORD_METADATA\" FROM " + table
                + " WHERE \"ID\" = " + HostileCorpus.SCHEMA_REGISTRY_KEY_ID)) {
            assertTrue(rs.next(), "the record with a Schema-Registry-framed key is loaded");
            com.fasterxml.jackson.databind.JsonNode metadata = JSON.readTree(rs.getString(1));
            assertEquals(java.util.Base64.getEncoder().encodeToString(HostileCorpus.SCHEMA_REGISTRY_KEY),
                    metadata.get("key").asText(), metadata.toString());
            assertEquals("base64", metadata.get("key_encoding").asText(), metadata.toString());
        }
    }

    private static String normalized(ResultSet rs, String column, ColumnType type) throws Exception {
        switch (type) {
            case BIGINT, DECIMAL, DOUBLE -> {
                Object v = rs.getObject(column);
                if (v == null) {
                    return null;
                }
                BigDecimal d = v instanceof BigDecimal b ? b
                        : v instanceof Double || v instanceof Float ? new BigDecimal(v.toString())
                        : new BigDecimal(v.toString());
                return d.stripTrailingZeros().toPlainString();
            }
            case VARIANT -> {
                String v = rs.getString(column);
                return v == null ? null : JSON.readTree(v).toString();
            }
            case BOOLEAN -> {
                Object v = rs.getObject(column);
                return v == null ? null : v.toString();
            }
            default -> {
                return rs.getString(column);
            }
        }
    }

    private static String normalizedExpectation(ColumnType type, String value) throws RuntimeException {
        try {
            return switch (type) {
                case BIGINT, DECIMAL, DOUBLE -> new BigDecimal(value).stripTrailingZeros().toPlainString();
                case VARIANT -> JSON.readTree(value).toString();
                default -> value;
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
