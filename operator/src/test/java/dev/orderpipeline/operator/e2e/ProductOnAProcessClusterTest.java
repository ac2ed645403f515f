package dev.orderpipeline.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.operator.OperatorMain;
import dev.orderpipeline.operator.packaging.ArgoCdHealth;
import dev.orderpipeline.operator.e2e.kubelet.LocalImages;
import dev.orderpipeline.operator.e2e.kubelet.ProcessKubelet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The user's story, on a cluster that runs pods: a real kube-apiserver and kube-controller-manager, the
 * {@link ProcessKubelet} running every container as a local process, a real KRaft broker. The chart is
 * installed with helm; the operator runs as a pod under the chart's ServiceAccount (a real token, RBAC
 * enforced); the loader pods run the runtime jar ({@code load}). The steps share one cluster and one broker
 * and run in order; a failed step fails the ones after it.
 */
@Tag("e2e")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductOnAProcessClusterTest {
    private static final String SYSTEM_NS = "opl-system";
    private static final String NS = "opl-story";
    private static final String RELEASE = "order-pipeline-operator";
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 2;
    private static final String PIPELINE = "orders-local";
    private static final Duration WAIT = Duration.ofMinutes(3);

    private static ApiServer api;
    private static ControllerManager controllers;
    private static EmbeddedKafka kafka;
    private static ProcessKubelet kubelet;
    private static KubernetesClient client;
    private static Path work;
    private static Path warehouse;
    private static OrderGenerator generator = new OrderGenerator(14, 0.3, 0.0);
    /** orderid → orderunits of the last event produced for it: the state the warehouse must end in. */
    private static final Map<Long, Double> expected = new TreeMap<>();

    @BeforeAll
    static void startTheCluster() throws IOException {
        // Not under /tmp (nor /var): /tmp is a mount path of the pods (their emptyDir), and a path under it in a
        // pod's environment is the pod's own /tmp, here as on a real node. The module's target/ unless the
        // checkout itself lies there (a clone in /tmp), then the user's cache directory.
        Path target = Path.of("target").toAbsolutePath();
        if (target.startsWith("/tmp") || target.startsWith("/var")) {
            target = Path.of(System.getProperty("user.home"), ".cache", "order-pipeline", "e2e");
        }
        Files.createDirectories(target);
        work = Files.createTempDirectory(target, "opl-story");
        warehouse = work.resolve("warehouse").resolve("orders.duckdb");
        Files.createDirectories(warehouse.getParent());
        api = ApiServer.startDedicated();
        client = api.client();
        controllers = ControllerManager.start(api);
        kafka = EmbeddedKafka.start();
        kafka.createTopic(TOPIC, PARTITIONS);
        Path runtimeJar = Manifests.root().resolve("pipeline-runtime/target/pipeline-runtime.jar");
        JsonNode values = Manifests.read(chart().resolve("values.yaml"));
        LocalImages images = new LocalImages()
                // The operator image: its classes and dependencies (this test's class path holds them).
                .map(values.at("/image/repository").asText(), LocalImages.javaMain(System.getProperty("java.class.path"),
                        OperatorMain.class.getName(), launch -> Map.of(
                                // The Kubernetes client's in-cluster files are compiled-in paths: point it at the
                                // pod's own, and never at a developer's kubeconfig.
                                "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
                                "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", launch.podDirectory().resolve("serviceaccount/token").toString(),
                                "KUBERNETES_CERTS_CA_FILE", launch.podDirectory().resolve("serviceaccount/ca.crt").toString())))
                // The runtime image: the slim jar; each pod binds its own address (the one setting a shared host needs).
                .map(values.at("/runtimeImage/repository").asText(), LocalImages.javaJar(runtimeJar,
                        launch -> Map.of("OPL_HTTP_BIND_ADDRESS", launch.podIP())));
        kubelet = ProcessKubelet.start(api.newClient(), images, work.resolve("kubelet"));
    }

    @AfterAll
    static void stopTheCluster() {
        // Reverse order; each one even if an earlier one failed.
        for (AutoCloseable c : new AutoCloseable[] {kubelet, controllers, kafka, api}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir
            }
        }
    }

    private static Path chart() {
        return Manifests.root().resolve("charts/order-pipeline-operator");
    }

    private static String operatorServiceAccount() {
        return client.apps().deployments().inNamespace(SYSTEM_NS).list().getItems().get(0)
                .getSpec().getTemplate().getSpec().getServiceAccountName();
    }

    @Test
    @Order(1)
    void theChartInstallsAndTheOperatorRunsAsAPodUnderItsServiceAccountWithRbacEnforced() {
        for (String ns : List.of(SYSTEM_NS, NS)) {
            api.kubectl().okWithInput("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}",
                    "apply", "--server-side", "--field-manager=opl-e2e", "-f", "-");
        }
        Release release = new Helm(chart()).install().withName(RELEASE).withNamespace(SYSTEM_NS)
                .withKubeConfig(api.kubeconfig()).set("watchNamespaces[0]", NS).call();
        assertEquals("deployed", release.getStatus(), release.getOutput());

        api.kubectl().ok("wait", "--for=condition=Established", "--timeout=60s",
                "crd/" + Manifests.CRD_NAMES.get(0), "crd/" + Manifests.CRD_NAMES.get(1));
        Kubectl.Result rollout = api.kubectl().run("rollout", "status", "-n", SYSTEM_NS, "deployment/" + RELEASE,
                "--timeout=180s");
        assertTrue(rollout.ok(), rollout.describe() + "\noperator pod log:\n" + operatorLog());

        Pod operatorPod = client.pods().inNamespace(SYSTEM_NS).list().getItems().get(0);
        assertEquals(ProcessKubelet.NODE_NAME, operatorPod.getSpec().getNodeName());
        assertTrue(operatorPod.getStatus().getPodIP().startsWith("127.0.0."), operatorPod.getStatus().getPodIP());
        assertEquals(operatorServiceAccount(), operatorPod.getSpec().getServiceAccountName());
        // RBAC is enforced on that identity: it may do what the chart grants and nothing else.
        String identity = "--as=system:serviceaccount:" + SYSTEM_NS + ":" + operatorServiceAccount();
        assertEquals("yes", api.kubectl().run("auth", "can-i", identity, "-n", NS, "patch", "orderpipelines.orderpipeline.dev",
                "--subresource=status").stdout().strip());
        assertEquals("no", api.kubectl().run("auth", "can-i", identity, "-n", "default", "list", "deployments")
                .stdout().strip());
        assertEquals("no", api.kubectl().run("auth", "can-i", identity, "-n", NS, "delete", "namespaces")
                .stdout().strip());
    }

    private static String operatorLog() {
        return client.pods().inNamespace(SYSTEM_NS).list().getItems().stream().map(kubelet::log)
                .collect(Collectors.joining("\n----\n"));
    }

    private static String loaderLogs() {
        return client.pods().inNamespace(NS).list().getItems().stream().map(p -> p.getMetadata().getName() + ":\n" + kubelet.log(p))
                .collect(Collectors.joining("\n----\n"));
    }

    /** The local sample, adapted only in its endpoints: the test broker, and a DuckDB file outside the pod. */
    private static ObjectNode pipeline() {
        ObjectNode doc = Manifests.read(Manifests.root().resolve("samples/orderpipeline-local.yaml"));
        assertEquals(PIPELINE, doc.at("/metadata/name").asText());
        ObjectNode spec = (ObjectNode) doc.get("spec");
        ((ObjectNode) spec.get("source")).put("bootstrapServers", kafka.bootstrapServers()).put("topic", TOPIC);
        // A real pod's emptyDir dies with the pod; the warehouse must outlive the loaders (it is the endpoint).
        ((ObjectNode) spec.get("sink")).putObject("duckdb").put("path", warehouse.toString());
        return doc;
    }

    private static void produce(int count) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < count; i++) {
                OrderGenerator.Event event = generator.next();
                JsonNode order = readJson(event.value());
                expected.put(order.get("orderid").asLong(), order.get("orderunits").asDouble());
                producer.send(new ProducerRecord<>(TOPIC, event.key(), event.value()));
            }
            producer.flush();
        }
    }

    private static JsonNode readJson(byte[] json) {
        try {
            return Manifests.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GenericKubernetesResource resource() {
        return client.genericKubernetesResources("orderpipeline.dev/v1alpha1", "OrderPipeline").inNamespace(NS)
                .withName(PIPELINE).get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status() {
        GenericKubernetesResource r = resource();
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Pod> loaderPods() {
        return client.pods().inNamespace(NS).withLabel("app.kubernetes.io/instance", PIPELINE)
                .withLabel("app.kubernetes.io/component", "loader").list().getItems();
    }

    /** The warehouse's state: orderid → orderunits (read only while no loader holds the DuckDB file). */
    private static Map<Long, Double> warehouseState() throws Exception {
        Map<Long, Double> rows = new TreeMap<>();
        long total;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse, readOnly());
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT orderid, orderunits FROM ORDERS")) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), rs.getDouble(2));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM ORDERS")) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        assertEquals(rows.size(), total, "one row per order (no duplicates)");
        return rows;
    }

    private static Properties readOnly() {
        Properties p = new Properties();
        p.setProperty("duckdb.read_only", "true");
        return p;
    }

    private static void setState(String state) {
        api.kubectl().ok("patch", "opl/" + PIPELINE, "-n", NS, "--type=merge", "-p",
                "{\"spec\":{\"state\":\"" + state + "\"}}");
    }

    @Test
    @Order(2)
    void aPipelineAppliedWithKubectlRunsItsLoaderPodWhichLoadsEveryOrderExactlyOnce() throws Exception {
        produce(3000);
        Kubectl.Result applied = api.kubectl().okWithInput(Manifests.json(pipeline()), "apply", "--server-side", "-n", NS, "-f", "-");
        assertTrue(applied.stdout().contains("serverside-applied"), applied.describe());
        // Argo CD's view (step 9), on the live resource: nothing reported yet is Progressing.
        assertEquals("Progressing", ArgoCdHealth.of(resource()).status());

        // Deployment → ReplicaSet → Pod, scheduled here and Ready by its own /readyz.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> loaderPods().stream()
                .anyMatch(p -> p.getStatus() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))));
        Pod loader = loaderPods().get(0);
        assertNotNull(loader.getMetadata().getOwnerReferences().get(0).getName(), "owned by its ReplicaSet");
        assertEquals("ReplicaSet", loader.getMetadata().getOwnerReferences().get(0).getKind());

        // The operator reads the real pod's /status: caught up (Lag 0), Ready, with a freshness.
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(() -> {
                Map<String, Object> s = status();
                return s.get("consumerLag") instanceof Number lag && lag.longValue() == 0
                        && s.get("freshnessSeconds") != null && "Running".equals(s.get("phase"));
            });
        } catch (RuntimeException e) {
            throw new AssertionError("status " + status() + "\nloaders:\n" + loaderLogs() + "\noperator:\n" + operatorLog(), e);
        }
        Kubectl.Result get = api.kubectl().ok("get", "opl", "-n", NS);
        String row = get.stdout().lines().filter(l -> l.startsWith(PIPELINE)).findFirst().orElseThrow();
        List<String> columns = List.of(row.trim().split("\\s+"));
        assertEquals("True", columns.get(1), get.describe());
        assertEquals("1", columns.get(3), "one loader: " + get.describe());
        assertEquals("0", columns.get(4), "no lag: " + get.describe());
        assertTrue(columns.get(5).matches("\\d+"), "a freshness in seconds: " + get.describe());
        ArgoCdHealth healthy = ArgoCdHealth.of(resource());
        assertEquals("Healthy", healthy.status(), healthy.message());

        // Paused: no loader holds the warehouse; what it holds is every order exactly as last produced.
        setState("paused");
        await().atMost(WAIT).until(() -> loaderPods().isEmpty());
        assertEquals(expected, warehouseState());
        await().atMost(WAIT).until(() -> "Suspended".equals(ArgoCdHealth.of(resource()).status()));
    }

    @Test
    @Order(3)
    void resumedItLoadsWhatArrivedWhilePausedAndAPauseMidBurstLosesAndDoublesNothing() throws Exception {
        produce(2000);
        setState("running");
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> loaderPods().stream()
                .anyMatch(p -> p.getStatus() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))));
        // A burst, and the loader is told to stop (SIGTERM) while it loads it: it commits what it wrote.
        produce(20_000);
        setState("paused");
        await().atMost(WAIT).until(() -> loaderPods().isEmpty());
        setState("running");
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(() -> {
                Map<String, Object> s = status();
                return s.get("consumerLag") instanceof Number lag && lag.longValue() == 0
                        && "Running".equals(s.get("phase")) && !loaderPods().isEmpty();
            });
        } catch (RuntimeException e) {
            throw new AssertionError("status " + status() + "\nloaders:\n" + loaderLogs(), e);
        }
        setState("paused");
        await().atMost(WAIT).until(() -> loaderPods().isEmpty());
        assertEquals(expected, warehouseState());
        setState("running");
    }

    private static boolean aLoaderIsReady() {
        return loaderPods().stream().anyMatch(p -> p.getStatus() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    @Test
    @Order(5)
    void kubectlScaleSetsTheLoadersOfAManualPipelineThroughTheScaleSubresource() {
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(ProductOnAProcessClusterTest::aLoaderIsReady);
        // One writer per DuckDB file: the API server refuses a second loader, naming why.
        Kubectl.Result tooMany = api.kubectl().run("scale", "opl/" + PIPELINE, "-n", NS, "--replicas=2");
        assertFalse(tooMany.ok(), tooMany.describe());
        assertTrue(tooMany.stderr().contains("at most one loader"), tooMany.describe());

        // Manual replicas are kept inside [minReplicas, maxReplicas] (default 1..): zero loaders is `state: paused`.
        api.kubectl().ok("scale", "opl/" + PIPELINE, "-n", NS, "--replicas=0");
        GenericKubernetesResource scaled = await().atMost(WAIT).until(ProductOnAProcessClusterTest::resource,
                r -> r.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                        && st.get("observedGeneration") instanceof Number g && g.longValue() == r.getMetadata().getGeneration());
        assertEquals(1, ((Number) ((Map<?, ?>) scaled.getAdditionalProperties().get("status")).get("desiredReplicas")).intValue());
        assertEquals(1, client.apps().deployments().inNamespace(NS).withName(PIPELINE + "-loader").get().getSpec().getReplicas());
        api.kubectl().ok("scale", "opl/" + PIPELINE, "-n", NS, "--replicas=1");
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(ProductOnAProcessClusterTest::aLoaderIsReady);
    }

    @Test
    @Order(6)
    void aLoaderThatCannotStartCrashLoopsWithTheKubeletsBackOffAndRecoversOnceFixed() {
        // The same sample, its dead-letter topic not created: the runtime refuses to start (exit 2), every time.
        String name = "orders-dlq";
        ObjectNode doc = pipeline();
        ((ObjectNode) doc.get("metadata")).put("name", name);
        ((ObjectNode) doc.at("/spec/sink/duckdb")).put("path", warehouse.resolveSibling("dlq.duckdb").toString());
        ((ObjectNode) doc.get("spec")).putObject("deadLetter").put("topic", "orders-dlq-missing");
        api.kubectl().okWithInput(Manifests.json(doc), "apply", "--server-side", "-n", NS, "-f", "-");

        java.util.function.Supplier<List<Pod>> pods = () -> client.pods().inNamespace(NS)
                .withLabel("app.kubernetes.io/instance", name).list().getItems();
        Pod crashing = await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(
                () -> pods.get().stream().findFirst().orElse(null),
                p -> p != null && p.getStatus() != null && !p.getStatus().getContainerStatuses().isEmpty()
                        && p.getStatus().getContainerStatuses().get(0).getRestartCount() >= 2
                        && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                        && "CrashLoopBackOff".equals(p.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason()));
        var container = crashing.getStatus().getContainerStatuses().get(0);
        assertEquals(2, container.getLastState().getTerminated().getExitCode(), "the runtime's configuration-error exit code");
        assertTrue(kubelet.log(crashing).contains("orders-dlq-missing"), "the log names the missing topic: " + kubelet.log(crashing));
        assertFalse(container.getReady());
        // kubectl shows what a user sees on a real node.
        Kubectl.Result get = api.kubectl().ok("get", "pods", "-n", NS, "-l", "app.kubernetes.io/instance=" + name);
        assertTrue(get.stdout().contains("CrashLoopBackOff"), get.describe());
        // The resource says why, from the pod's container state: Degraded, not a rollout in progress forever.
        java.util.function.Supplier<Map<?, ?>> readyCondition = () -> ((List<?>) ((Map<?, ?>) client
                .genericKubernetesResources("orderpipeline.dev/v1alpha1", "OrderPipeline").inNamespace(NS).withName(name)
                .get().getAdditionalProperties().get("status")).get("conditions")).stream()
                .map(c -> (Map<?, ?>) c).filter(c -> "Ready".equals(c.get("type"))).findFirst().orElseThrow();
        Map<?, ?> ready = await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(readyCondition::get,
                c -> "CrashLooping".equals(c.get("reason")));
        assertEquals("False", ready.get("status"), "a crash-looping pipeline is not Ready: " + ready);
        assertTrue(String.valueOf(ready.get("message")).contains("exit code 2"), ready.toString());
        GenericKubernetesResource degraded = client.genericKubernetesResources("orderpipeline.dev/v1alpha1", "OrderPipeline")
                .inNamespace(NS).withName(name).get();
        assertEquals("Degraded", ((Map<?, ?>) degraded.getAdditionalProperties().get("status")).get("phase"));

        // Fixed (the topic exists): the next restart after the back-off starts, and the pod becomes Ready.
        kafka.createTopic("orders-dlq-missing", 1);
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> pods.get().stream()
                .anyMatch(p -> p.getStatus() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))));
        assertTrue(pods.get().get(0).getStatus().getContainerStatuses().get(0).getRestartCount() >= 2, "same pod, restarted");
        api.kubectl().ok("delete", "opl/" + name, "-n", NS, "--wait=true", "--timeout=60s");
        await().atMost(WAIT).until(() -> pods.get().isEmpty());
    }

    @Test
    @Order(8)
    void deletedItsChildrenAreGarbageCollected() {
        GenericKubernetesResource live = resource();
        assertNotNull(live, "the pipeline exists");
        String uid = live.getMetadata().getUid();
        await().atMost(WAIT).until(() -> !loaderPods().isEmpty());
        api.kubectl().ok("delete", "opl/" + PIPELINE, "-n", NS, "--wait=true", "--timeout=60s");
        // The garbage collector deletes what names the pipeline's uid, then what names those (ReplicaSets, Pods).
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() ->
                client.apps().deployments().inNamespace(NS).list().getItems().isEmpty()
                        && client.apps().replicaSets().inNamespace(NS).list().getItems().isEmpty()
                        && client.configMaps().inNamespace(NS).list().getItems().stream()
                                .noneMatch(c -> c.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
                        && client.pods().inNamespace(NS).list().getItems().isEmpty());
        List<Deployment> left = client.apps().deployments().inNamespace(NS).list().getItems();
        assertFalse(left.stream().anyMatch(d -> d.getMetadata().getName().startsWith(PIPELINE)), "no loader Deployment left");
        // Through the whole story the operator, under its RBAC, never crashed nor lost its Lease.
        Pod operatorPod = client.pods().inNamespace(SYSTEM_NS).list().getItems().get(0);
        assertEquals(0, operatorPod.getStatus().getContainerStatuses().get(0).getRestartCount(), operatorLog());
    }
}
