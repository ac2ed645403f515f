package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.EmbeddedKafka;
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
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class LoaderEndpointsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
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
}
