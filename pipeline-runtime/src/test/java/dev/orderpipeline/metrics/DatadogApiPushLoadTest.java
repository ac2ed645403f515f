package dev.orderpipeline.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real load run pushing to the Datadog API: a JDK HTTP server on loopback plays api.datadoghq.com. */
@ExtendWith(KafkaExtension.class)
class DatadogApiPushLoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_KEY = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    record Post(String path, String query, String apiKeyHeader, JsonNode body) {
    }

    @Test
    void aLoadRunPushesTaggedSeriesWithTheApiKeyAsAHeaderFromAMountedSecretFile(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("ddapi");
        kafka.createTopic(topic, 2);
        ConcurrentLinkedQueue<Post> posts = new ConcurrentLinkedQueue<>();
        HttpServer datadog = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ConcurrentLinkedQueue<String> unreadable = new ConcurrentLinkedQueue<>();
        datadog.createContext("/", exchange -> {
            try {
                byte[] body = exchange.getRequestBody().readAllBytes();
                try {
                    posts.add(new Post(exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(),
                            exchange.getRequestHeaders().getFirst("DD-API-KEY"), JSON.readTree(body)));
                } catch (IOException | RuntimeException e) {
                    unreadable.add(exchange.getRequestHeaders().entrySet() + " " + new String(body, StandardCharsets.UTF_8) + ": " + e);
                }
                byte[] ok = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(202, ok.length);
                exchange.getResponseBody().write(ok);
            } finally {
                exchange.close();
            }
        });
        datadog.start();
        Path keyFile = Files.writeString(dir.resolve("api-key"), API_KEY + "\n"); // as a mounted Secret key
        try {
            Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("w.duckdb"), "orderid");
            env.put(Setting.DD_API_KEY.fileEnvName(), keyFile.toString());
            env.put(Setting.METRICS_DATADOG_URI.envName(), "http://127.0.0.1:" + datadog.getAddress().getPort());
            env.put(Setting.METRICS_STEP.envName(), "1s");
            env.put(Setting.NAMESPACE.envName(), "shop");
            env.put(Setting.DD_ENV.envName(), "staging");
            env.put(Setting.DD_SERVICE.envName(), "orders");
            env.put(Setting.DD_VERSION.envName(), "2.0.0");
            String pipeline = env.get(Setting.PIPELINE_NAME.envName());

            int orders = 240;
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                OrderTopics.produceOrders(kafka, topic, orders, 0, 0, 11, 0);
                await().atMost(Duration.ofSeconds(60)).failFast(() -> loader.failure() != null)
                        .until(() -> loader.committedRecords() == orders);
                // Counters are pushed per step: the sum over every post is the total.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertEquals(List.of(), List.copyOf(unreadable), "posts that are not JSON");
                    assertEquals(orders, sum(posts, MetricNames.RECORDS_LOADED), "records.loaded over all posts");
                    assertTrue(metrics(posts).containsAll(Set.of(MetricNames.FRESHNESS + ".avg", MetricNames.FRESHNESS + ".max",
                            MetricNames.COMMIT_LATENCY + ".count", MetricNames.BATCH_ROWS + ".avg", MetricNames.CONSUMER_LAG,
                            MetricNames.KAFKA_CLIENT_RECORDS_LAG_MAX)), () -> "pushed: " + metrics(posts));
                });
            }

            assertFalse(posts.isEmpty());
            for (Post post : posts) {
                assertEquals("/api/v1/series", post.path());
                assertEquals(API_KEY, post.apiKeyHeader(), "the key read from DD_API_KEY_FILE, as the DD-API-KEY header");
                assertNull(post.query(), "no key in the URL");
            }
            Set<String> expectedTags = Set.of("pipeline:" + pipeline, "topic:" + topic, "sink:duckdb", "namespace:shop",
                    "env:staging", "service:orders", "version:2.0.0");
            for (JsonNode series : series(posts)) {
                if (series.get("metric").asText().startsWith("orderpipeline.")) {
                    Set<String> tags = new HashSet<>();
                    series.get("tags").forEach(t -> tags.add(t.asText()));
                    assertTrue(tags.containsAll(expectedTags), series + " lacks some of " + expectedTags);
                }
            }
            JsonNode loaded = series(posts).stream().filter(s -> s.get("metric").asText().equals(MetricNames.RECORDS_LOADED))
                    .findFirst().orElseThrow();
            assertEquals("count", loaded.get("type").asText(), "a counter is a Datadog count, no suffix");
        } finally {
            datadog.stop(0);
        }
    }

    private static List<JsonNode> series(ConcurrentLinkedQueue<Post> posts) {
        return posts.stream().flatMap(p -> {
            List<JsonNode> all = new java.util.ArrayList<>();
            p.body().get("series").forEach(all::add);
            return all.stream();
        }).toList();
    }

    private static Set<String> metrics(ConcurrentLinkedQueue<Post> posts) {
        Set<String> names = new HashSet<>();
        series(posts).forEach(s -> names.add(s.get("metric").asText()));
        return names;
    }

    private static double sum(ConcurrentLinkedQueue<Post> posts, String metric) {
        return series(posts).stream().filter(s -> s.get("metric").asText().equals(metric))
                .mapToDouble(s -> {
                    double total = 0;
                    for (JsonNode point : s.get("points")) {
                        total += point.get(1).asDouble();
                    }
                    return total;
                }).sum();
    }
}
