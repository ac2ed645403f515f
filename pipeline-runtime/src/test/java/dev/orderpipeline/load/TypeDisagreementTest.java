package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two loaders of one pipeline (one consumer group, one PostgreSQL table), each with its own idea of
 * a column's type from the first value it saw: the table's type wins, widened when that is
 * lossless, and no value is rounded and no batch retried forever.
 */
@ExtendWith(KafkaExtension.class)
class TypeDisagreementTest {
    @TempDir
    Path dir;

    @Test
    void twoLoadersThatInferredDifferentTypesForAColumnRoundNothingAndBothCommit(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("disagree");
        String deadLetters = topic + "-dlq";
        kafka.createTopic(topic, 2);
        kafka.createTopic(deadLetters, 1);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "DISAGREE", "");
            env.put(Setting.ERROR_TOLERANCE.envName(), "all");
            env.put(Setting.DEAD_LETTER_TOPIC.envName(), deadLetters);
            Map<String, String> second = new java.util.HashMap<>(env);
            second.put(Setting.HTTP_PORT.envName(), "0");
            try (InProcessLoader a = InProcessLoader.start(env); InProcessLoader b = InProcessLoader.start(second)) {
                // One record per partition: once both are committed, each loader owns one partition and has
                // opened the table knowing only ID.
                send(kafka, topic, 0, 100, "{\"id\":100}");
                send(kafka, topic, 1, 200, "{\"id\":200}");
                await().atMost(Duration.ofMinutes(1)).until(() -> a.committedRecords() == 1 && b.committedRecords() == 1);
                InProcessLoader owner0 = a.status().snapshot().committedOffsets().containsKey(0) ? a : b;
                InProcessLoader owner1 = owner0 == a ? b : a;

                // The owner of partition 0 sees an integer first: DISCOUNT BIGINT. The other sees a fraction
                // first and assumed DOUBLE: the table widens to DECIMAL(38,18) and 0.15 stays 0.15.
                send(kafka, topic, 0, 1, "{\"id\":1,\"discount\":0,\"code\":12}");
                await().atMost(Duration.ofMinutes(1)).until(() -> owner0.committedRecords() == 2);
                send(kafka, topic, 1, 2, "{\"id\":2,\"discount\":0.15}");
                await().atMost(Duration.ofMinutes(1)).until(() -> owner1.committedRecords() == 2);
                // The first loader still assumes BIGINT, then meets a fraction itself.
                send(kafka, topic, 0, 3, "{\"id\":3,\"discount\":9007199254740993}");
                send(kafka, topic, 0, 4, "{\"id\":4,\"discount\":0.25}");
                await().atMost(Duration.ofMinutes(1)).until(() -> owner0.committedRecords() == 4);

                // The other loader sees text where the table has integers: it would have inferred VARCHAR; the
                // table's BIGINT wins, "42" is converted, and "n/a" is refused by the loader that learnt the type.
                send(kafka, topic, 1, 5, "{\"id\":5,\"code\":\"42\"}");
                await().atMost(Duration.ofMinutes(1)).until(() -> owner1.committedRecords() == 3);
                send(kafka, topic, 1, 6, "{\"id\":6,\"code\":\"n/a\"}");
                await().atMost(Duration.ofMinutes(1)).until(() -> owner1.committedRecords() == 4);

                assertNull(a.status().snapshot().lastError());
                assertNull(b.status().snapshot().lastError());
                assertEquals(Map.of(0, 4L), owner0.status().snapshot().committedOffsets());
                assertEquals(Map.of(1, 4L), owner1.status().snapshot().committedOffsets());
            }
            Map<Long, String> rows = new TreeMap<>();
            try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT \"ID\", \"DISCOUNT\", \"CODE\", pg_typeof(\"DISCOUNT\")::text, pg_typeof(\"CODE\")::text "
                            + "FROM \"DISAGREE\"")) {
                while (rs.next()) {
                    BigDecimal discount = rs.getBigDecimal(2);
                    rows.put(rs.getLong(1), (discount == null ? null : discount.stripTrailingZeros().toPlainString()) + "|"
                            + rs.getString(3) + "|" + rs.getString(4) + "|" + rs.getString(5));
                }
            }
            assertEquals(Map.of(
                    100L, "null|null|numeric|bigint",
                    200L, "null|null|numeric|bigint",
                    1L, "0|12|numeric|bigint",
                    2L, "0.15|null|numeric|bigint",
                    3L, "9007199254740993|null|numeric|bigint",
                    4L, "0.25|null|numeric|bigint",
                    5L, "null|42|numeric|bigint"), rows);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = OrderTopics.readAll(kafka, deadLetters);
        assertEquals(1, dead.size());
        assertEquals("the value 'n/a' does not fit column CODE of type BIGINT",
                DeadLetterTest.header(dead.get(0), DeadLetterPublisher.HEADER_EXCEPTION_MESSAGE));
    }

    private static void send(EmbeddedKafka kafka, String topic, int partition, long key, String json) {
        OrderTopics.produceRaw(kafka, topic, List.of(new ProducerRecord<>(topic, partition,
                Long.toString(key).getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8))));
    }
}
