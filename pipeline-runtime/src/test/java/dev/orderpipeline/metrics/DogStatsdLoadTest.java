package dev.orderpipeline.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real load run with DogStatsD on: a UDP listener on loopback plays the node's Datadog agent. */
@ExtendWith(KafkaExtension.class)
class DogStatsdLoadTest {
    /** Datadog's DogStatsD line: name:value|type[|@rate][|#tag:v,...]. */
    private static final Pattern LINE = Pattern.compile("([^:|]+):([^|]+)\\|([a-z]+)(?:\\|@[0-9.]+)?(?:\\|#(.*))?");

    @TempDir
    Path dir;

    record Line(String name, double value, String type, Set<String> tags) {
    }

    @Test
    void aLoadRunSendsTaggedDogStatsdLinesWhoseCountersMatchTheStatusEndpoint(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("dogstatsd");
        kafka.createTopic(topic, 2);
        ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
        try (DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread receiver = new Thread(() -> receive(agent, lines), "fake-datadog-agent");
            receiver.setDaemon(true);
            receiver.start();

            Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("w.duckdb"), "orderid");
            env.put(Setting.METRICS_DOGSTATSD_ENABLED.envName(), "true");
            env.put(Setting.DD_AGENT_HOST.envName(), "127.0.0.1");
            env.put(Setting.DD_DOGSTATSD_PORT.envName(), Integer.toString(agent.getLocalPort()));
            env.put(Setting.METRICS_STEP.envName(), "500ms");
            env.put(Setting.NAMESPACE.envName(), "shop");
            env.put(Setting.DD_ENV.envName(), "test");
            env.put(Setting.DD_SERVICE.envName(), "orders-loader");
            env.put(Setting.DD_VERSION.envName(), "1.2.3");
            env.put(Setting.DD_TAGS.envName(), "team:data cost-center:42");
            String pipeline = env.get(Setting.PIPELINE_NAME.envName());

            int orders = 300;
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                OrderTopics.produceOrders(kafka, topic, orders, 0, 0, 7, 0);
                await().atMost(Duration.ofSeconds(60)).failFast(() -> loader.failure() != null)
                        .until(() -> loader.committedRecords() == orders);
                // Lines are sent as they happen, in packets flushed every step: wait for all of them.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertEquals(orders, sum(lines, MetricNames.RECORDS_LOADED), "records.loaded over all datagrams");
                    assertEquals(orders, sum(lines, MetricNames.RECORDS_CONSUMED), "records.consumed over all datagrams");
                    assertTrue(has(lines, MetricNames.CONSUMER_LAG, "g", "partition:0"), "lag of partition 0");
                    assertTrue(has(lines, MetricNames.CONSUMER_LAG, "g", "partition:1"), "lag of partition 1");
                    assertTrue(has(lines, MetricNames.KAFKA_CLIENT_RECORDS_LAG_MAX, "g", null), "a Kafka client metric");
                    assertTrue(has(lines, MetricNames.COMMIT_LATENCY, "ms", "sink:duckdb"), () -> seen(lines, MetricNames.COMMIT_LATENCY));
                    assertTrue(has(lines, MetricNames.FLUSH_LATENCY, "ms", "sink:duckdb"), () -> seen(lines, MetricNames.FLUSH_LATENCY));
                    assertTrue(has(lines, MetricNames.FRESHNESS, "ms", "env:test"), () -> seen(lines, MetricNames.FRESHNESS));
                    assertTrue(has(lines, MetricNames.BATCH_ROWS, "h", "service:orders-loader"), () -> seen(lines, MetricNames.BATCH_ROWS));
                    assertTrue(has(lines, MetricNames.BATCH_BYTES, "h", "version:1.2.3"), () -> seen(lines, MetricNames.BATCH_BYTES));
                });

                Set<String> expectedTags = Set.of("pipeline:" + pipeline, "topic:" + topic, "sink:duckdb", "namespace:shop",
                        "env:test", "service:orders-loader", "version:1.2.3", "team:data", "cost-center:42");
                Line loaded = lines.stream().filter(l -> l.name().equals(MetricNames.RECORDS_LOADED)).findFirst().orElseThrow();
                assertEquals("c", loaded.type(), "a counter is a DogStatsD count, no suffix");
                assertTrue(loaded.tags().containsAll(expectedTags), loaded.tags() + " lacks some of " + expectedTags);
                // Every line of the loader's own meters carries the common tags, whatever its name.
                List<Line> own = lines.stream().filter(l -> l.name().startsWith("orderpipeline.")).toList();
                assertFalse(own.isEmpty());
                own.forEach(l -> assertTrue(l.tags().containsAll(expectedTags), l + " lacks common tags"));
                // Lag is 0 once everything is loaded (the consumer's view of the partition end).
                await().atMost(Duration.ofSeconds(10)).until(() -> last(lines, MetricNames.CONSUMER_LAG, "partition:0") == 0.0);

                // /metrics (Prometheus) and /status agree on the counts.
                JsonNode status = new ObjectMapper().readTree(get(loader.httpPort(), "/status"));
                String prometheus = get(loader.httpPort(), "/metrics");
                assertEquals(status.get("recordsLoaded").asDouble(),
                        prometheusValue(prometheus, "orderpipeline_loader_records_loaded_total"), prometheus);
                assertEquals(status.get("recordsConsumed").asDouble(),
                        prometheusValue(prometheus, "orderpipeline_loader_records_consumed_total"), prometheus);
                assertEquals(orders, status.get("recordsLoaded").asLong());
            }
        }
    }

    private static void receive(DatagramSocket socket, ConcurrentLinkedQueue<Line> lines) {
        byte[] buffer = new byte[65_536];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketException closed) {
                return;
            } catch (java.io.IOException e) {
                continue;
            }
            String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            for (String raw : text.split("\n")) {
                Matcher m = LINE.matcher(raw.trim());
                if (m.matches()) {
                    Set<String> tags = m.group(4) == null ? Set.of() : Set.of(m.group(4).split(","));
                    lines.add(new Line(m.group(1), Double.parseDouble(m.group(2)), m.group(3), tags));
                } else if (!raw.isBlank()) {
                    throw new AssertionError("not a DogStatsD line: " + raw);
                }
            }
        }
    }

    private static double sum(ConcurrentLinkedQueue<Line> lines, String name) {
        return lines.stream().filter(l -> l.name().equals(name)).mapToDouble(Line::value).sum();
    }

    private static boolean has(ConcurrentLinkedQueue<Line> lines, String name, String type, String tag) {
        return lines.stream().anyMatch(l -> l.name().equals(name) && l.type().equals(type) && (tag == null || l.tags().contains(tag)));
    }

    private static String seen(ConcurrentLinkedQueue<Line> lines, String name) {
        return "lines of " + name + ": " + lines.stream().filter(l -> l.name().equals(name)).limit(3).toList();
    }

    private static double last(ConcurrentLinkedQueue<Line> lines, String name, String tag) {
        return lines.stream().filter(l -> l.name().equals(name) && l.tags().contains(tag))
                .reduce((a, b) -> b).map(Line::value).orElse(Double.NaN);
    }

    static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the one sample of a Prometheus metric family (the loader has one tag set). */
    static double prometheusValue(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$").matcher(exposition);
        assertTrue(m.find(), name + " not in /metrics");
        double value = Double.parseDouble(m.group(1));
        assertFalse(m.find(), name + " has more than one sample");
        return value;
    }
}
