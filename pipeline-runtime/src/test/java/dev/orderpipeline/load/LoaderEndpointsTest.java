package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class LoaderEndpointsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    static HttpResponse<String> get(int port, String path) throws Exception {
        // The liveness probe's own timeout (LoaderDeploymentDependent): an answer later than this would fail it.
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSmallBatchIsCommittedOnLatencyAloneEvenWhenNoFurtherRecordArrives(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("latency");
        kafka.createTopic(topic, 2);
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("w.duckdb"), "orderid");
        env.put("OPL_BATCH_MAX_RECORDS", "100000");
        env.put("OPL_BATCH_MAX_BYTES", "100000000");
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceOrders(kafka, topic, 5, 0, 0, 1, 0);
            await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 5);
            OrderTopics.produceOrders(kafka, topic, 3, 0, 0, 2, 0);
            await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 8);
        }
    }

    @Test
    void theLoaderServesHealthReadinessPrometheusMetricsAndStatusJson(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("endpoints");
        kafka.createTopic(topic, 1);
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("w.duckdb"), "orderid");
        try (InProcessLoader loader = InProcessLoader.start(env)) {
            OrderTopics.produceOrders(kafka, topic, 50, 0, 0, 1, 0);
            await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 50);
            int port = loader.httpPort();
            assertEquals(200, get(port, "/healthz").statusCode());
            assertEquals(200, get(port, "/readyz").statusCode());
            String metrics = get(port, "/metrics").body();
            assertTrue(metrics.contains("orderpipeline_loader_records_loaded_total{pipeline=\"test-" + topic + "\",sink=\"duckdb\",topic=\""
                    + topic + "\"} 50.0"), metrics);
            JsonNode status = new ObjectMapper().readTree(get(port, "/status").body());
            assertEquals(50, status.get("recordsLoaded").asLong());
            assertEquals(50, status.get("committedOffsets").get("0").asLong());
            assertTrue(status.get("lastCommitTime").asText().endsWith("Z"));
            assertTrue(status.get("lastError").isNull());
            assertEquals("LOADING", status.get("state").asText(), status.toString());
            assertTrue(status.get("waitingFor").isNull());
        }
    }

    @Test
    void aCommitHeldForLongerThanTheLivenessProbeAllowsLeavesHealthAnsweringAndStatusSayingWhy(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("long-commit");
        kafka.createTopic(topic, 1);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = LoaderEnv.postgres(kafka.bootstrapServers(), topic, pg, "LONG_COMMIT", "orderid");
            env.put("OPL_SINK_STATEMENT_TIMEOUT", "120s"); // the commit waits on the lock, not on a timeout
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                OrderTopics.produceOrders(kafka, topic, 20, 0, 0, 1, 0);
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 20);
                int port = loader.httpPort();
                try (Connection lock = pg.connect(); Statement s = lock.createStatement()) {
                    lock.setAutoCommit(false);
                    s.execute("LOCK TABLE \"LONG_COMMIT\" IN ACCESS EXCLUSIVE MODE");
                    OrderTopics.produceOrders(kafka, topic, 20, 0, 0, 2, 0); // its commit waits on the lock
                    Thread.sleep(3_000);
                    OrderTopics.produceOrders(kafka, topic, 20, 0, 0, 3, 0); // the next batch falls due behind it
                    await().atMost(Duration.ofSeconds(30)).until(() -> loader.status().snapshot().sinkStalledSince() != null);
                    // Six liveness periods of 10 s would be a minute; twelve probes two seconds apart cover more than
                    // one probe timeout each while the commit is held, and every one must answer at once.
                    for (int probe = 0; probe < 12; probe++) {
                        HttpResponse<String> health = get(port, "/healthz");
                        assertEquals(200, health.statusCode(), "probe " + probe);
                        Thread.sleep(2_000);
                    }
                    JsonNode status = new ObjectMapper().readTree(get(port, "/status").body());
                    assertEquals("STALLED", status.get("state").asText(), status.toString());
                    assertTrue(status.get("waitingFor").asText().contains("commit"), status.toString());
                    assertEquals(20, loader.committedRecords(), "the held commit has not landed");
                    lock.rollback();
                }
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 60);
                assertEquals(200, get(port, "/healthz").statusCode());
                assertTrue(loader.isRunning(), "the loader went on after the lock was released");
            }
        }
    }
}
