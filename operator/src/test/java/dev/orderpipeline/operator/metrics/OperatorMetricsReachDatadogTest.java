package dev.orderpipeline.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.metrics.MetricNames;
import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.OperatorProcess;
import dev.orderpipeline.operator.ProcessSettings;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.OrderPipelineStatus;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The names the shipped Datadog monitors and dashboard query exist: the operator's own (its meters and
 * JOSDK's) arrive as DogStatsD lines at real UDP sockets standing in for the node's agent, configured by the
 * environment the chart renders; the runtime's are defined by its {@link MetricNames}; the rest are the
 * documented Kafka-integration metrics.
 *
 * <p>Two senders: the operator process itself, reconciling a pipeline on the mock API server (JOSDK's
 * reconciliation counters and the replica gauges); and the same registries fed directly with what needs a
 * dbt Job or a failing reconcile (dbt results, {@code operator.sdk.reconciliations.failed}).
 */
class OperatorMetricsReachDatadogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A metric in a Datadog metrics query: aggregator, colon, name, then the scope in braces. */
    private static final Pattern METRIC_IN_QUERY = Pattern.compile("\\b(?:avg|sum|min|max|count):([A-Za-z][A-Za-z0-9_.]*)\\{");
    private static final Pattern DOCUMENTED_ROW = Pattern.compile("(?m)^\\| `([a-z0-9_.]+)` \\|");
    private static final String NAMESPACE = "orders";
    private static final String NAME = "orders-to-snowflake";

    private static DatagramSocket agent;
    private static DatagramSocket processAgent;
    /** Every DogStatsD line received from the directly fed registries, by metric name (the last line of each). */
    private static final Map<String, Line> RECEIVED = new TreeMap<>();
    /** Every DogStatsD line received from the running operator process, by metric name. */
    private static final Map<String, Line> FROM_PROCESS = new TreeMap<>();

    record Line(String name, String value, String type, Map<String, String> tags) {
        static Line parse(String text) {
            String[] parts = text.split("\\|");
            int colon = parts[0].lastIndexOf(':');
            Map<String, String> tags = new TreeMap<>();
            for (String part : parts) {
                if (part.startsWith("#")) {
                    for (String tag : part.substring(1).split(",")) {
                        int c = tag.indexOf(':');
                        tags.put(c < 0 ? tag : tag.substring(0, c), c < 0 ? "" : tag.substring(c + 1));
                    }
                }
            }
            return new Line(parts[0].substring(0, colon), parts[0].substring(colon + 1), parts[1], tags);
        }
    }

    @BeforeAll
    static void operatorReportsToAnAgentOnLoopback() throws IOException {
        agent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        // What the chart renders with datadog.enabled: the agent's address (status.hostIP there) and port,
        // and unified service tagging.
        Map<String, String> env = Map.of(
                MetricsSettings.AGENT_HOST_ENV, InetAddress.getLoopbackAddress().getHostAddress(),
                MetricsSettings.DOGSTATSD_PORT_ENV, Integer.toString(agent.getLocalPort()),
                MetricsSettings.STEP_ENV, "1s",
                MetricsSettings.ENV_ENV, "prod",
                MetricsSettings.SERVICE_ENV, "orderpipeline-operator",
                MetricsSettings.TAGS_ENV, "team:data namespace:ignored");
        MetricsSettings settings = MetricsSettings.fromEnvironment(env);
        assertTrue(settings.dogStatsd().isPresent(), "DD_AGENT_HOST turns DogStatsD on (auto)");

        Set<String> expected = operatorNames();
        try (OperatorRegistries registries = OperatorRegistries.create(settings)) {
            OperatorMetrics metrics = new OperatorMetrics(registries.registry());
            OrderPipeline pipeline = TestPipelines.pipeline(NAMESPACE, NAME, TestPipelines.snowflakeSpec());
            metrics.observed(pipeline, JSON.convertValue(
                    Map.of("desiredReplicas", 3, "readyReplicas", 2, "consumerLag", 1234), OrderPipelineStatus.class));
            metrics.dbtRunFinished(pipeline, false, 1, 2);
            // JOSDK's meters, fed as JOSDK's controller feeds them when a reconcile throws (the other calls need
            // a registered controller's queue; the monitors use only this counter).
            MicrometerMetrics josdk = registries.josdkMetrics();
            Map<String, Object> metadata = new HashMap<>();
            metadata.put(Constants.RESOURCE_GVK_KEY, GroupVersionKind.gvkFor(OrderPipeline.class));
            metadata.put(Constants.CONTROLLER_NAME, "orderpipelinereconciler");
            josdk.failedReconciliation(pipeline, new IllegalStateException("API server unavailable"), metadata);

            receive(agent, expected, RECEIVED);
        }
        operatorProcessReportsToItsAgent();
    }

    /** Reads datagrams until every expected name has arrived, or gives up after a bounded number of them. */
    private static void receive(DatagramSocket socket, Set<String> expected, Map<String, Line> into) throws IOException {
        socket.setSoTimeout(5_000);
        byte[] buffer = new byte[65_536];
        // Gauges go out at every polling step (1 s); the names missing at the end fail the tests below.
        for (int datagrams = 0; datagrams < 200 && !into.keySet().containsAll(expected); datagrams++) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                break;
            }
            for (String text : new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8).split("\n")) {
                if (!text.isBlank()) {
                    Line line = Line.parse(text);
                    into.put(line.name(), line);
                }
            }
        }
    }

    /** The operator as OperatorMain starts it, with the chart's Datadog environment, reconciling one pipeline. */
    private static void operatorProcessReportsToItsAgent() throws IOException {
        processAgent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        MetricsSettings settings = MetricsSettings.fromEnvironment(Map.of(
                MetricsSettings.AGENT_HOST_ENV, InetAddress.getLoopbackAddress().getHostAddress(),
                MetricsSettings.DOGSTATSD_PORT_ENV, Integer.toString(processAgent.getLocalPort()),
                MetricsSettings.STEP_ENV, "1s"));
        Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>> responses =
                new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init();
        try (KubernetesClient client = server.createClient()) {
            for (String file : new String[] {"orderpipelines.orderpipeline.dev-v1.yml", "cdcsyncs.orderpipeline.dev-v1.yml"}) {
                try (InputStream yaml = OperatorMetricsReachDatadogTest.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
                    client.resource(client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class)).create();
                }
            }
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                    .create();
            OperatorSettings operator = new OperatorSettings(OperatorHarness.RUNTIME_IMAGE, Duration.ofSeconds(1), Set.of(NAMESPACE));
            ProcessSettings process = new ProcessSettings(0, false, "opl-metrics-test", Optional.empty(), "operator-pod-1");
            try (OperatorProcess running = OperatorProcess.start(operator, process, settings, client, Clock.systemUTC(),
                    o -> o.withSSABasedCreateUpdateMatchForDependentResources(false).withUseSSAToPatchPrimaryResource(false)
                            .withCloseClientOnStop(false))) {
                client.resource(TestPipelines.pipeline(NAMESPACE, NAME, new OrderPipelineSpec(
                        new SourceSpec("kafka.invalid:9092", "orders", null, null, null, null, null),
                        new SinkSpec(SinkSpec.Type.DUCKDB, null, null, null, null), null, null, null, null, null,
                        PipelineState.RUNNING))).create();
                receive(processAgent, Set.of("operator.sdk.reconciliations.started", "operator.sdk.reconciliations.success",
                        OperatorMetrics.REPLICAS_DESIRED, OperatorMetrics.REPLICAS_READY), FROM_PROCESS);
            }
        } finally {
            server.destroy();
        }
    }

    @AfterAll
    static void closeAgent() {
        agent.close();
        if (processAgent != null) {
            processAgent.close();
        }
    }

    /** Every name OperatorMetrics registers, and JOSDK's counter of failed reconciliations. */
    private static Set<String> operatorNames() {
        Set<String> names = new TreeSet<>(Set.of(OperatorMetrics.REPLICAS_DESIRED, OperatorMetrics.REPLICAS_READY,
                OperatorMetrics.CONSUMER_LAG, OperatorMetrics.DBT_RUNS, OperatorMetrics.DBT_MODELS_FAILED,
                OperatorMetrics.DBT_TESTS_FAILED));
        names.add("operator.sdk.reconciliations.failed");
        return names;
    }

    private static boolean isOperators(String name) {
        return name.startsWith("orderpipeline.operator.") || name.startsWith("operator.sdk.");
    }

    @Test
    void everyMetricTheMonitorsAndDashboardQueryIsEmittedByTheRuntimeTheOperatorOrTheKafkaIntegration() throws IOException {
        Set<String> runtime = MetricNames.ALL.stream()
                .filter(d -> d.source() != MetricNames.Source.OPERATOR && d.source() != MetricNames.Source.JOSDK)
                .flatMap(d -> d.datadogNames().stream()).collect(Collectors.toSet());
        Set<String> integration = documentedIntegrationMetrics();
        Set<String> used = monitored();
        assertTrue(used.stream().anyMatch(OperatorMetricsReachDatadogTest::isOperators), "the monitors use operator metrics: " + used);
        Map<String, String> unknown = new LinkedHashMap<>();
        for (String name : used) {
            if (isOperators(name)) {
                if (!RECEIVED.containsKey(name) && !FROM_PROCESS.containsKey(name)) {
                    unknown.put(name, "the operator never sent it over DogStatsD");
                }
            } else if (!runtime.contains(name) && !integration.contains(name)) {
                unknown.put(name, "neither in the runtime's MetricNames nor in kafka-integration-metrics.md");
            }
        }
        assertEquals(Map.of(), unknown, "monitors.json/dashboard.json query metrics nobody emits; received: " + RECEIVED.keySet() + " and "
                + FROM_PROCESS.keySet());
    }

    @Test
    void theOperatorSendsItsMetersAsDatadogDogStatsdLinesTaggedByPipelineNamespaceAndResultOnly() {
        Line desired = RECEIVED.get(OperatorMetrics.REPLICAS_DESIRED);
        assertTrue(desired != null, "received " + RECEIVED.keySet());
        assertEquals("g", desired.type());
        assertEquals(3.0, Double.parseDouble(desired.value()));
        assertEquals(2.0, Double.parseDouble(RECEIVED.get(OperatorMetrics.REPLICAS_READY).value()));
        assertEquals(1234.0, Double.parseDouble(RECEIVED.get(OperatorMetrics.CONSUMER_LAG).value()));
        assertEquals(2.0, Double.parseDouble(RECEIVED.get(OperatorMetrics.DBT_TESTS_FAILED).value()));
        // The pipeline tag has the runtime's value, so loader and operator series of one pipeline line up;
        // a process-wide DD_TAGS namespace does not overwrite the pipeline's.
        Map<String, String> gaugeTags = Map.of("pipeline", NAMESPACE + "." + NAME, "namespace", NAMESPACE,
                "env", "prod", "service", "orderpipeline-operator", "team", "data");
        for (String name : List.of(OperatorMetrics.REPLICAS_DESIRED, OperatorMetrics.REPLICAS_READY, OperatorMetrics.CONSUMER_LAG,
                OperatorMetrics.DBT_MODELS_FAILED, OperatorMetrics.DBT_TESTS_FAILED)) {
            Map<String, String> tags = new TreeMap<>(RECEIVED.get(name).tags());
            // The Datadog flavour adds the Micrometer statistic (value for a gauge): one value per meter.
            assertEquals("value", tags.remove("statistic"), name);
            assertEquals(new TreeMap<>(gaugeTags), tags, name + " tags");
        }
        Line runs = RECEIVED.get(OperatorMetrics.DBT_RUNS);
        assertEquals("c", runs.type(), "a counter: the monitor sums it with .as_count()");
        Map<String, String> runTags = new TreeMap<>(gaugeTags);
        runTags.put("result", "failure");
        Map<String, String> tags = new TreeMap<>(runs.tags());
        tags.remove("statistic");
        assertEquals(runTags, tags);
        assertEquals(1.0, Double.parseDouble(runs.value()));
    }

    @Test
    void theRunningOperatorSendsJosdksCountersAndThePipelinesGaugesToTheAgentOfItsEnvironment() {
        for (String name : List.of("operator.sdk.reconciliations.started", "operator.sdk.reconciliations.success")) {
            Line line = FROM_PROCESS.get(name);
            assertTrue(line != null, name + " not received; received " + FROM_PROCESS.keySet());
            assertEquals("c", line.type(), name);
            assertEquals(NAMESPACE, line.tags().get("namespace"), name);
            assertEquals(NAME, line.tags().get("name"), name);
        }
        Line desired = FROM_PROCESS.get(OperatorMetrics.REPLICAS_DESIRED);
        assertTrue(desired != null, "received " + FROM_PROCESS.keySet());
        assertEquals(NAMESPACE + "." + NAME, desired.tags().get("pipeline"));
        assertEquals(1.0, Double.parseDouble(desired.value()), "a DuckDB sink runs one loader");
    }

    @Test
    void josdkReconciliationCountersReachTheAgentTaggedByResourceNotByAnythingUnbounded() {
        Line failed = RECEIVED.get("operator.sdk.reconciliations.failed");
        assertTrue(failed != null, "received " + RECEIVED.keySet());
        assertEquals("c", failed.type());
        assertEquals(NAMESPACE, failed.tags().get("namespace"));
        assertEquals(NAME, failed.tags().get("name"));
        assertEquals("IllegalStateException", failed.tags().get("exception"), "the exception's class, never its message");
        for (String value : failed.tags().values()) {
            assertFalse(value.contains("unavailable"), "no message text in tags: " + failed.tags());
        }
    }

    @Test
    void dogStatsdSettingsAreReadUnderTheRuntimesNamesAndBadValuesNameTheVariable() {
        assertTrue(MetricsSettings.fromEnvironment(Map.of()).dogStatsd().isEmpty(), "auto without DD_AGENT_HOST: off");
        assertEquals(new MetricsSettings.DogStatsd("localhost", 8125),
                MetricsSettings.fromEnvironment(Map.of("OPL_METRICS_DOGSTATSD_ENABLED", "true")).dogStatsd().orElseThrow());
        assertTrue(MetricsSettings.fromEnvironment(Map.of("OPL_METRICS_DOGSTATSD_ENABLED", "false", "DD_AGENT_HOST", "10.0.0.7"))
                .dogStatsd().isEmpty());
        assertMessage(Map.of("OPL_METRICS_DOGSTATSD_ENABLED", "yes"), "OPL_METRICS_DOGSTATSD_ENABLED is 'yes'");
        assertMessage(Map.of("DD_AGENT_HOST", "10.0.0.7", "DD_DOGSTATSD_PORT", "0"), "DD_DOGSTATSD_PORT is '0'");
        assertMessage(Map.of("DD_AGENT_HOST", "agent host"), "DD_AGENT_HOST is 'agent host'");
        assertMessage(Map.of("OPL_METRICS_STEP", "often"), "OPL_METRICS_STEP is 'often'");
        // The runtime's names for the same settings (one set of Datadog variables for both).
        for (String name : List.of(MetricsSettings.DOGSTATSD_ENABLED_ENV, MetricsSettings.AGENT_HOST_ENV,
                MetricsSettings.DOGSTATSD_PORT_ENV, MetricsSettings.STEP_ENV, MetricsSettings.ENV_ENV,
                MetricsSettings.SERVICE_ENV, MetricsSettings.VERSION_ENV, MetricsSettings.TAGS_ENV)) {
            assertTrue(java.util.Arrays.stream(dev.orderpipeline.config.Setting.values()).anyMatch(s -> s.envName().equals(name)),
                    name + " is a setting of pipeline-runtime");
        }
    }

    private static void assertMessage(Map<String, String> env, String expected) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> MetricsSettings.fromEnvironment(env));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    private static Path monitoring() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("charts/order-pipeline-operator/monitoring");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no charts/order-pipeline-operator/monitoring above " + here);
    }

    private static Set<String> documentedIntegrationMetrics() throws IOException {
        Matcher m = DOCUMENTED_ROW.matcher(Files.readString(monitoring().resolve("kafka-integration-metrics.md")));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Every metric in every query ("query" and "q" keys at any depth) of monitors.json and dashboard.json. */
    private static Set<String> monitored() throws IOException {
        List<String> queries = new ArrayList<>();
        for (String file : List.of("monitors.json", "dashboard.json")) {
            collect(JSON.readTree(monitoring().resolve(file).toFile()), queries);
        }
        assertFalse(queries.isEmpty());
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
}
