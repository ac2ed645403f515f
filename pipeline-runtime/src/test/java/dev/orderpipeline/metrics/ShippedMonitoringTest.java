package dev.orderpipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.RepositoryPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dashboard and monitors shipped under the chart reference only metrics that exist: emitted by
 * this project under the names of {@link MetricNames} (as the Datadog registries name them), or
 * documented Kafka-integration metrics.
 */
class ShippedMonitoringTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A metric in a Datadog metrics query: space aggregator, colon, name, then the scope in braces. */
    private static final Pattern METRIC_IN_QUERY = Pattern.compile("\\b(?:avg|sum|min|max|count):([A-Za-z][A-Za-z0-9_.]*)\\{");
    private static final Pattern DOCUMENTED_ROW = Pattern.compile("(?m)^\\| `([a-z0-9_.]+)` \\|");

    private static Path monitoring() {
        return RepositoryPaths.root().resolve("charts/order-pipeline-operator/monitoring");
    }

    private static Set<String> emitted() {
        return MetricNames.ALL.stream().flatMap(d -> d.datadogNames().stream()).collect(Collectors.toSet());
    }

    static Set<String> documentedIntegrationMetrics() throws Exception {
        Matcher m = DOCUMENTED_ROW.matcher(Files.readString(monitoring().resolve("kafka-integration-metrics.md")));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Every query string in the JSON (keys "query" and "q", at any depth). */
    private static List<String> queries(JsonNode node) {
        List<String> found = new ArrayList<>();
        collect(node, found);
        return found;
    }

    private static void collect(JsonNode node, List<String> found) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if ((e.getKey().equals("query") || e.getKey().equals("q")) && e.getValue().isTextual()) {
                    found.add(e.getValue().asText());
                } else {
                    collect(e.getValue(), found);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, found));
        }
    }

    private static Set<String> metricsIn(List<String> queries) {
        Set<String> metrics = new TreeSet<>();
        for (String query : queries) {
            Matcher m = METRIC_IN_QUERY.matcher(query);
            boolean any = false;
            while (m.find()) {
                metrics.add(m.group(1));
                any = true;
            }
            assertTrue(any, "no metric found in query: " + query);
        }
        return metrics;
    }

    @Test
    void theIntegrationMetricListIsOnlyKafkaIntegrationMetricsNotOurOwn() throws Exception {
        Set<String> documented = documentedIntegrationMetrics();
        assertTrue(documented.containsAll(Set.of("kafka.consumer_lag", "kafka.broker_offset", "kafka.under_replicated_partitions",
                "kafka.request.produce.time.99percentile")), documented.toString());
        documented.forEach(name -> {
            assertTrue(name.startsWith("kafka."), name);
            assertFalse(emitted().contains(name), name + " is emitted by this project, not by the integration");
        });
    }

    @Test
    void everyMetricTheDashboardReferencesIsEmittedHereOrADocumentedIntegrationMetric() throws Exception {
        JsonNode dashboard = JSON.readTree(monitoring().resolve("dashboard.json").toFile());
        assertEquals("ordered", dashboard.get("layout_type").asText());
        assertTrue(dashboard.get("widgets").size() > 0);
        Set<String> used = metricsIn(queries(dashboard));
        assertKnown(used, "dashboard.json");
        // The subjects the dashboard must cover.
        assertTrue(used.containsAll(Set.of(MetricNames.RECORDS_LOADED, MetricNames.CONSUMER_LAG, MetricNames.FRESHNESS + ".max",
                MetricNames.RECORDS_DEAD_LETTERED, MetricNames.OPERATOR_DBT_RUNS, MetricNames.CDC_LAG_SECONDS,
                MetricNames.CDC_DRIFT_DETECTED, MetricNames.CDC_ROWS_UPSERTED, MetricNames.CDC_ROWS_DELETED,
                "kafka.consumer_lag", "kafka.under_replicated_partitions", "kafka.request.produce.time.99percentile")), used.toString());
    }

    @Test
    void everyMonitorIsAMetricAlertOnKnownMetricsWithThresholdsAndAMessage() throws Exception {
        JsonNode monitors = JSON.readTree(monitoring().resolve("monitors.json").toFile());
        assertTrue(monitors.isArray() && monitors.size() > 0);
        List<String> all = new ArrayList<>();
        for (JsonNode monitor : monitors) {
            String name = monitor.get("name").asText();
            assertEquals("metric alert", monitor.get("type").asText(), name);
            assertFalse(monitor.get("message").asText().isBlank(), name);
            assertTrue(monitor.at("/options/thresholds/critical").isNumber(), name + " has no critical threshold");
            String query = monitor.get("query").asText();
            assertTrue(query.matches("^(avg|sum|min|max)\\(last_\\d+[mhd]\\):.+ [<>]=? -?[0-9.]+$"), name + ": " + query);
            double critical = monitor.at("/options/thresholds/critical").asDouble();
            assertEquals(critical, Double.parseDouble(query.substring(query.lastIndexOf(' ') + 1)), name
                    + ": the critical threshold must be the query's");
            all.add(query);
        }
        Set<String> used = metricsIn(all);
        assertKnown(used, "monitors.json");
        assertTrue(used.containsAll(Set.of(MetricNames.FRESHNESS + ".max", MetricNames.CONSUMER_LAG, MetricNames.RECORDS_DEAD_LETTERED,
                MetricNames.OPERATOR_DBT_RUNS, MetricNames.CDC_LAG_SECONDS, MetricNames.CDC_DRIFT_DETECTED,
                "kafka.consumer_lag", "kafka.under_replicated_partitions")), used.toString());
    }

    @Test
    void theReadmeListsEveryMetricWithItsType() throws Exception {
        String readme = Files.readString(monitoring().resolve("README.md"));
        for (MetricNames.Definition d : MetricNames.ALL) {
            assertTrue(readme.contains("| `" + d.name() + "` | " + d.type().name().toLowerCase().replace('_', ' ') + " |"),
                    d.name() + " is not in the metric table of monitoring/README.md");
        }
    }

    private static void assertKnown(Set<String> used, String file) throws Exception {
        Set<String> known = new TreeSet<>(emitted());
        known.addAll(documentedIntegrationMetrics());
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(known);
        assertEquals(Set.of(), unknown, file + " references metrics nobody emits (timers and summaries are <name>.avg/.count/.max)");
    }
}
