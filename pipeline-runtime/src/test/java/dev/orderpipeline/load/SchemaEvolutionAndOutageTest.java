package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The loader against Snowflake's protocol (fakesnow): a table that grows a column, and a warehouse that goes away. */
@ExtendWith(KafkaExtension.class)
class SchemaEvolutionAndOutageTest {
    @TempDir
    Path dir;
    FakesnowServer fakesnow;

    @BeforeEach
    void startFakesnow() {
        fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start();
    }

    @AfterEach
    void stopFakesnow() {
        fakesnow.close();
    }

    @Test
    void aFieldThatAppearsMidStreamAddsAColumnAndEarlierRowsHaveNullThere(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("evolve");
        kafka.createTopic(topic, 1);
        Map<String, String> env = LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "EVOLVING", "orderid");
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceRaw(kafka, topic, List.of(json(topic, 1, "{\"orderid\":1,\"itemid\":\"Item_1\"}")));
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 1);
            OrderTopics.produceRaw(kafka, topic, List.of(
                    json(topic, 2, "{\"orderid\":2,\"itemid\":\"Item_2\",\"channel\":\"web\",\"discount\":{\"pct\":0.1}}")));
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 2);
        }
        try (Connection c = ExactlyOnceCrashTest.fakesnowConnection(fakesnow); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"ORDERID\", \"CHANNEL\", \"DISCOUNT_PCT\" FROM \"ANALYTICS\".\"RAW\".\"EVOLVING\" ORDER BY 1")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getLong(1));
            assertEquals(null, rs.getString(2));
            assertEquals(null, rs.getObject(3));
            assertTrue(rs.next());
            assertEquals("web", rs.getString(2));
            assertEquals(0.1, rs.getDouble(3));
        }
    }

    @Test
    void whenTheWarehouseGoesAwayTheLoaderRetriesThenCompletesWithNothingLostOrDoubled(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("outage");
        kafka.createTopic(topic, 2);
        Map<String, String> env = LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "APPENDED", "");
        CompletableFuture<Void> producing = CompletableFuture.runAsync(
                () -> OrderTopics.produceOrders(kafka, topic, 2_000, 0, 0, 5, 200));
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() > 200);
            fakesnow.stop();
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.status().snapshot().lastError() != null);
            assertTrue(!loader.status().isReady(), "not ready while the warehouse is down");
            Thread.sleep(3_000);
            fakesnow.start();
            producing.get();
            long produced = OrderTopics.endOffsetSum(kafka, topic);
            await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == produced);
            assertTrue(loader.status().isReady());
        }
        try (Connection c = ExactlyOnceCrashTest.fakesnowConnection(fakesnow); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\") FROM \"ANALYTICS\".\"RAW\".\"APPENDED\"")) {
            rs.next();
            assertEquals(2_000, rs.getLong(1));
            assertEquals(2_000, rs.getLong(2));
        }
    }

    static ProducerRecord<byte[], byte[]> json(String topic, long key, String value) {
        return new ProducerRecord<>(topic, Long.toString(key).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }
}
