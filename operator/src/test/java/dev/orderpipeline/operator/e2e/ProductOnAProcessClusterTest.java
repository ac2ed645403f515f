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
import dev.orderpipeline.embedded.Directories;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.FreePorts;
import dev.orderpipeline.embedded.RepositoryPaths;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.operator.OperatorMain;
import dev.orderpipeline.operator.e2e.kubelet.LocalImages;
import dev.orderpipeline.operator.e2e.kubelet.ProcessKubelet;
import dev.orderpipeline.operator.packaging.ArgoCdHealth;
import dev.orderpipeline.schema.MetadataColumns;
import dev.orderpipeline.verify.ExpectedOrders;
import dev.orderpipeline.verify.OrderState;
import dev.orderpipeline.verify.WarehouseOrders;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
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
import org.postgresql.util.PSQLState;

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
    /** The Snowflake pipeline (samples/orderpipeline-production.yaml, on fakesnow) reads a topic of its own. */
    private static final String SF_TOPIC = "orders-sf";
    private static final int SF_PARTITIONS = 3;
    private static final String SF_PIPELINE = "orders";
    private static final String SF_TABLE = "\"ANALYTICS\".\"RAW\".\"ORDERS\"";
    private static final String CDC = "orders-to-postgres";
    private static final String PG_TABLE = "\"public\".\"orders\"";

    private static ApiServer api;
    private static ControllerManager controllers;
    private static EmbeddedKafka kafka;
    private static FakesnowServer fakesnow;
    private static EmbeddedPostgres postgres;
    private static ProcessKubelet kubelet;
    private static KubernetesClient client;
    private static Path work;
    private static Path warehouse;
    private static OrderGenerator generator = new OrderGenerator(14, 0.3, 0.0);
    private static OrderGenerator sfGenerator = new OrderGenerator(41, 0.3, 0.0);
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
        kafka.createTopic(SF_TOPIC, SF_PARTITIONS);
        // The production sample's dead-letter topic, as its cluster would have it.
        kafka.createTopic(Manifests.read(Manifests.root().resolve("samples/orderpipeline-production.yaml"))
                .at("/spec/deadLetter/topic").asText(), 1);
        // Sessions idle for minutes (a replicator between syncs, a loader without records) stay, as on Snowflake.
        fakesnow = new FakesnowServer(work.resolve("fakesnow"), Duration.ofMinutes(30)).start();
        postgres = new EmbeddedPostgres(work.resolve("postgres")).start();
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
                // The runtime image: the slim jar and the image's JVM options (at the pod's memory limit); each pod
                // binds its own address (the one setting a shared host needs).
                .map(values.at("/runtimeImage/repository").asText(), LocalImages.javaJar(runtimeJar,
                        launch -> Map.of("JDK_JAVA_OPTIONS", RepositoryPaths.runtimeImageJavaOptions(),
                                "OPL_HTTP_BIND_ADDRESS", launch.podIP(),
                                // The runtime's compiled-in default, given as the image's ENV so that the kubelet maps
                                // it to the pod's termination-message file (a compiled-in path is not rewritten).
                                "OPL_TERMINATION_MESSAGE_PATH", "/dev/termination-log")))
                // The dbt image (dbt/Dockerfile): its entrypoint script and project from this checkout, dbt from the
                // project venv, and the image's ENV (its /tmp and /dev/termination-log paths land in the pod's files).
                .map(LocalImages.repository(dbtImage()), LocalImages.entrypoint(
                        Manifests.root().resolve("dbt/entrypoint.sh"), launch -> Map.ofEntries(
                                Map.entry("DBT_TARGET", "snowflake"),
                                Map.entry("DBT_TARGET_PATH", "/tmp/dbt/target"),
                                Map.entry("DBT_LOG_PATH", "/tmp/dbt/logs"),
                                Map.entry("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"),
                                Map.entry("PYTHONDONTWRITEBYTECODE", "1"),
                                Map.entry("TERMINATION_MESSAGE_PATH", "/dev/termination-log")),
                        // The image's project and tools are this checkout's, wherever it lies (a CI clone in /tmp too).
                        Map.of("DBT_PROJECT_DIR", Manifests.root().resolve("dbt").toString(),
                                "DBT_PROFILES_DIR", Manifests.root().resolve("dbt").toString(),
                                "DBT_BIN", RepositoryPaths.venvTool("dbt").toString(),
                                "PYTHON_BIN", RepositoryPaths.venvTool("python").toString())));
        kubelet = ProcessKubelet.start(api.newClient(), images, work.resolve("kubelet"));
    }

    @AfterAll
    static void stopTheCluster() {
        // Reverse order; each one even if an earlier one failed.
        for (AutoCloseable c : new AutoCloseable[] {kubelet, controllers, postgres, fakesnow, kafka, api}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
        if (work != null) {
            try {
                Directories.delete(work);
            } catch (IOException ignored) {
                // a temp dir
            }
        }
    }

    /** The dbt image the samples name (the chart has none: dbt runs are the pipelines' own). */
    private static String dbtImage() {
        return Manifests.read(Manifests.root().resolve("samples/orderpipeline-production.yaml")).at("/spec/dbt/image").asText();
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
                .withKubeConfig(api.kubeconfig()).set("watchNamespaces[0]", NS)
                // Short operator intervals (chart values, as a user sets them) instead of sleeps: Kafka lag every 2 s,
                // the pods' /status every 3 s.
                .set("extraEnv[0].name", "OPL_SOURCE_POLL_INTERVAL").set("extraEnv[0].value", "2s")
                .set("extraEnv[1].name", "OPL_RUNTIME_STATUS_INTERVAL").set("extraEnv[1].value", "3s")
                // The process kubelet shares the machine's network: the operator binds every interface, so its
                // port must be one nobody else holds (the chart's default, 8081, may be taken on a CI machine).
                .set("httpPort", Integer.toString(FreePorts.next()))
                // The whole cluster, its pods and the test share 2 cores: a Lease renewal can wait seconds, so the
                // Lease is timed as on a busy control plane (the chart's defaults are Kubernetes' 15 s / 10 s / 2 s).
                .set("leaderElection.leaseDuration", "60s").set("leaderElection.renewDeadline", "40s")
                .set("leaderElection.retryPeriod", "5s")
                .call();
        assertEquals("deployed", release.getStatus(), release.getOutput());

        api.kubectl().ok("wait", "--for=condition=Established", "--timeout=60s",
                "crd/" + Manifests.CRD_NAMES.get(0), "crd/" + Manifests.CRD_NAMES.get(1));
        Kubectl.Result rollout = api.kubectl().run("rollout", "status", "-n", SYSTEM_NS, "deployment/" + RELEASE,
                "--timeout=180s");
        assertTrue(rollout.ok(), rollout.describe() + "\noperator pod log:\n" + operatorLog());

        Pod operatorPod = client.pods().inNamespace(SYSTEM_NS).list().getItems().get(0);
        assertEquals(ProcessKubelet.NODE_NAME, operatorPod.getSpec().getNodeName());
        assertTrue(operatorPod.getStatus().getPodIP().startsWith("127.0.0."), operatorPod.getStatus().getPodIP());
        // The chart's Lease timing reached the operator: the Lease it holds lasts as the values say.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Lease lease = client.leases().inNamespace(SYSTEM_NS).withName(RELEASE).get();
            return lease != null && operatorPod.getMetadata().getName().equals(lease.getSpec().getHolderIdentity());
        });
        assertEquals(60, client.leases().inNamespace(SYSTEM_NS).withName(RELEASE).get().getSpec().getLeaseDurationSeconds());
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

    // ---- The Snowflake pipeline (samples/orderpipeline-production.yaml) on fakesnow, and its CdcSync into PostgreSQL.

    private static final String SF_PASSPHRASE = "story-passphrase";

    /** The production sample, adapted only in its endpoints: the test broker, fakesnow, no dbt. */
    private static ObjectNode snowflakePipeline() {
        ObjectNode doc = Manifests.read(Manifests.root().resolve("samples/orderpipeline-production.yaml"));
        assertEquals(SF_PIPELINE, doc.at("/metadata/name").asText());
        ObjectNode spec = (ObjectNode) doc.get("spec");
        ObjectNode source = (ObjectNode) spec.get("source");
        source.put("bootstrapServers", kafka.bootstrapServers()).put("topic", SF_TOPIC);
        // Confluent Cloud's listener is SASL_SSL; the test broker's is PLAINTEXT.
        source.remove("security");
        // fakesnow on loopback: plain HTTP, the account the driver needs in the URL (spec.sink.snowflake.url).
        ((ObjectNode) spec.at("/sink/snowflake")).put("account", "fakesnow").put("url", fakesnow.jdbcUrl());
        // dbt-snowflake does not run against fakesnow (dbt/README.md); dbt runs on the DuckDB pipeline (step 7).
        spec.remove("dbt");
        return doc;
    }

    /** The CdcSync sample, adapted only in its endpoint: the embedded PostgreSQL (no TLS on loopback). */
    private static ObjectNode cdcSync() {
        ObjectNode doc = Manifests.read(Manifests.root().resolve("samples/cdcsync-postgres.yaml"));
        assertEquals(CDC, doc.at("/metadata/name").asText());
        assertEquals(SF_PIPELINE, doc.at("/spec/source/pipelineRef/name").asText());
        ((ObjectNode) doc.at("/spec/target")).put("host", "127.0.0.1").put("port", postgres.port())
                .put("database", "postgres").put("sslmode", "disable");
        return doc;
    }

    /** Creates or replaces a Secret (a PUT: keys left out are gone), as a rotation or a mistake does. */
    private static void putSecret(String name, Map<String, String> data) {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withStringData(data).build()).createOr(NonDeletingOperation::update);
    }

    private static Map<String, String> snowflakeKey() {
        return Map.of("rsa_key.p8", SnowflakeKeyPair.pem(SF_PASSPHRASE), "passphrase", SF_PASSPHRASE);
    }

    private static void produceSf(int count) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < count; i++) {
                OrderGenerator.Event event = sfGenerator.next();
                producer.send(new ProducerRecord<>(SF_TOPIC, event.key(), event.value()));
            }
            producer.flush();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(props);
    }

    private static GenericKubernetesResource live(String kind, String name) {
        return client.genericKubernetesResources("orderpipeline.dev/v1alpha1", kind).inNamespace(NS).withName(name).get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> statusOf(String kind, String name) {
        GenericKubernetesResource r = live(kind, name);
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Map<?, ?> readyCondition(String kind, String name) {
        Object conditions = statusOf(kind, name).get("conditions");
        return conditions instanceof List<?> list ? list.stream().map(c -> (Map<?, ?>) c)
                .filter(c -> "Ready".equals(c.get("type"))).findFirst().orElse(Map.of()) : Map.of();
    }

    private static Deployment sfLoaders() {
        return client.apps().deployments().inNamespace(NS).withName(SF_PIPELINE + "-loader").get();
    }

    private static List<Pod> sfLoaderPods() {
        return client.pods().inNamespace(NS).withLabel("app.kubernetes.io/instance", SF_PIPELINE)
                .withLabel("app.kubernetes.io/component", "loader").list().getItems();
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getMetadata().getDeletionTimestamp() == null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The warehouse's live orders on fakesnow (read while the loaders run: Snowflake has no single writer). */
    private static Map<Long, OrderState> snowflakeState() throws Exception {
        try (Connection c = fakesnow.connect("ANALYTICS", "RAW")) {
            return WarehouseOrders.live(c, SF_TABLE);
        }
    }

    /** PostgreSQL's orders (the replicator's target: lower-case columns, deleted orders removed). */
    private static Map<Long, OrderState> postgresState() throws Exception {
        Map<Long, OrderState> rows = new TreeMap<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT orderid, itemid, orderunits, address_city, address_state, address_zipcode FROM " + PG_TABLE)) {
            while (rs.next()) {
                OrderState order = new OrderState(rs.getLong(1), rs.getString(2), rs.getDouble(3), rs.getString(4),
                        rs.getString(5), rs.getLong(6));
                assertTrue(rows.put(order.orderid(), order) == null, "order " + order.orderid() + " twice in PostgreSQL");
            }
        }
        return rows;
    }

    /** Waits until fakesnow and PostgreSQL both hold exactly the topic's state: every order once, as last produced. */
    private static void awaitWarehouseAndPostgresEqualTheTopic() {
        Map<Long, OrderState> expected = new TreeMap<>(ExpectedOrders.fromTopic(kafka.bootstrapServers(), SF_TOPIC).live());
        assertFalse(expected.isEmpty());
        java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>("");
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(() -> {
                Map<Long, OrderState> warehouse = new TreeMap<>(snowflakeState());
                Map<Long, OrderState> pg;
                try {
                    pg = postgresState();
                } catch (SQLException e) {
                    // The replicator creates the table and adds the warehouse's columns as the loaders add them:
                    // until then, a column or the table itself is missing, which is "not yet", not a failure.
                    if (!PSQLState.UNDEFINED_COLUMN.getState().equals(e.getSQLState())
                            && !PSQLState.UNDEFINED_TABLE.getState().equals(e.getSQLState())) {
                        throw e;
                    }
                    last.set("warehouse " + warehouse.size() + " rows, PostgreSQL's table not complete yet: "
                            + e.getMessage().strip());
                    return false;
                }
                last.set("warehouse " + warehouse.size() + " rows, PostgreSQL " + pg.size() + ", expected " + expected.size());
                return warehouse.equals(expected) && pg.equals(expected);
            });
        } catch (RuntimeException e) {
            throw new AssertionError(last.get() + "\nstatus " + statusOf("OrderPipeline", SF_PIPELINE) + "\ncdc "
                    + statusOf("CdcSync", CDC) + "\npods:\n" + loaderLogs(), e);
        }
    }

    /** No two rows carry the same Kafka coordinates: nothing was loaded twice under two keys. */
    private static void assertNoKafkaCoordinatesTwice() throws Exception {
        try (Connection c = fakesnow.connect("ANALYTICS", "RAW"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT " + MetadataColumns.KAFKA_PARTITION.quoted() + ", "
                     + MetadataColumns.KAFKA_OFFSET.quoted() + " FROM " + SF_TABLE + " GROUP BY 1, 2 HAVING count(*) > 1)")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "rows sharing a (partition, offset)");
        }
    }

    @Test
    @Order(4)
    void aSnowflakePipelineOnFakesnowAndItsCdcSyncIntoPostgresHoldEveryOrderExactlyOnce() throws Exception {
        putSecret("snowflake-orderpipeline", snowflakeKey());
        putSecret("postgres-analytics", Map.of("username", "postgres", "password", "postgres"));
        produceSf(1200);
        api.kubectl().okWithInput(Manifests.json(snowflakePipeline()), "apply", "--server-side", "-n", NS, "-f", "-");
        api.kubectl().okWithInput(Manifests.json(cdcSync()), "apply", "--server-side", "-n", NS, "-f", "-");

        // The sample's minReplicas: two loaders, each Ready by its /readyz, sharing the topic's partitions.
        int minReplicas = snowflakePipeline().at("/spec/scaling/minReplicas").asInt();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() ->
                    sfLoaderPods().stream().filter(ProductOnAProcessClusterTest::ready).count() == minReplicas);
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(() -> {
                Map<String, Object> s = statusOf("OrderPipeline", SF_PIPELINE);
                return s.get("consumerLag") instanceof Number lag && lag.longValue() == 0 && "Running".equals(s.get("phase"));
            });
        } catch (RuntimeException e) {
            throw new AssertionError("status " + statusOf("OrderPipeline", SF_PIPELINE) + "\nloaders:\n" + loaderLogs()
                    + "\noperator:\n" + operatorLog(), e);
        }
        awaitWarehouseAndPostgresEqualTheTopic();
        assertNoKafkaCoordinatesTwice();
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> "True".equals(readyCondition("CdcSync", CDC).get("status")));

        // kubectl get orderpipeline: the category lists both kinds.
        Kubectl.Result both = api.kubectl().ok("get", "orderpipeline", "-n", NS);
        assertTrue(both.stdout().contains("orderpipeline.orderpipeline.dev/" + SF_PIPELINE), both.describe());
        assertTrue(both.stdout().contains("cdcsync.orderpipeline.dev/" + CDC), both.describe());
        ArgoCdHealth healthy = ArgoCdHealth.of(live("OrderPipeline", SF_PIPELINE));
        assertEquals("Healthy", healthy.status(), healthy.message());
    }

    /** The partition Kafka's default partitioner gives a key: the trickle sends each order where its key goes. */
    private static int partitionOf(byte[] key) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % SF_PARTITIONS;
    }

    /** The next generated event whose key goes to {@code partition} (the others are not sent: the topic is the truth). */
    private static OrderGenerator.Event nextEventFor(int partition) {
        synchronized (ProductOnAProcessClusterTest.class) {
            while (true) {
                OrderGenerator.Event event = sfGenerator.next();
                if (partitionOf(event.key()) == partition) {
                    return event;
                }
            }
        }
    }

    private static final java.util.regex.Pattern HELD =
            java.util.regex.Pattern.compile("stopping with (\\d+) records read and not yet committed");
    private static final java.util.regex.Pattern COMMITTED =
            java.util.regex.Pattern.compile("stopping: committed (\\d+) of the (\\d+) records held");

    @Test
    @Order(5)
    void aBurstScalesTheLoadersUpToThePartitionsAndBackDownAndEachScaleDownStopsALoaderMidBatchLosingNothing()
            throws Exception {
        long t0 = System.nanoTime();
        // A trickle into every partition all along, one order each every 100 ms: a loader's commit on fakesnow takes
        // longer than that, so records arrive while it commits and every loader holds some at any moment (a SIGTERM
        // always lands mid-batch). A burst on top of it.
        java.util.concurrent.atomic.AtomicBoolean trickling = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger mostReplicas = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Exception> trickleFailed = new java.util.concurrent.atomic.AtomicReference<>();
        Map<String, Pod> seen = new java.util.concurrent.ConcurrentHashMap<>();
        Thread trickle = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                while (trickling.get()) {
                    for (int partition = 0; partition < SF_PARTITIONS; partition++) {
                        OrderGenerator.Event event = nextEventFor(partition);
                        producer.send(new ProducerRecord<>(SF_TOPIC, partition, event.key(), event.value()));
                    }
                    producer.flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                trickleFailed.set(e);
            }
        }, "story-trickle");
        trickle.start();
        try {
            synchronized (ProductOnAProcessClusterTest.class) {
                produceSf(1500);
            }
            // Lag mode with a short window (spec fields, as a user tunes them), patched in once the burst is in the
            // topic (the sample's two loaders do not go before it is loaded). The lag per loader is above what the
            // trickle keeps in flight (30 records/s, committed every second or so), far below the burst.
            api.kubectl().ok("patch", "opl/" + SF_PIPELINE, "-n", NS, "--type=merge", "-p",
                    "{\"spec\":{\"scaling\":{\"mode\":\"lag\",\"minReplicas\":1,\"maxReplicas\":12,\"lagPerReplica\":250,"
                            + "\"scaleDownStabilization\":\"20s\"}}}");
            Runnable look = () -> {
                mostReplicas.accumulateAndGet(sfLoaders().getSpec().getReplicas(), Math::max);
                sfLoaderPods().forEach(p -> seen.putIfAbsent(p.getMetadata().getUid(), p));
            };
            try {
                // Up: the lag asks for 6 or more loaders, maxReplicas allows 12, the topic has 3 partitions.
                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                    look.run();
                    return sfLoaders().getSpec().getReplicas() == SF_PARTITIONS;
                });
                mark(t0, "step 4: up to " + SF_PARTITIONS);
                // Down, once the lag stayed low for the window; the trickle goes on through it.
                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                    look.run();
                    return sfLoaders().getSpec().getReplicas() == 1 && sfLoaderPods().size() == 1;
                });
                mark(t0, "step 4: back to 1");
            } catch (RuntimeException e) {
                throw new AssertionError("status " + statusOf("OrderPipeline", SF_PIPELINE) + "\nloaders:\n" + loaderLogs(), e);
            }
        } finally {
            trickling.set(false);
            trickle.join(10_000);
        }
        assertEquals(null, trickleFailed.get(), "the trickle producer failed");
        assertEquals(SF_PARTITIONS, mostReplicas.get(), "up to the partitions, never above");

        // Each scaled-away loader was SIGTERMed holding records of the trickle, and committed every one of them.
        Set<String> running = sfLoaderPods().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        List<Pod> removed = seen.values().stream().filter(p -> !running.contains(p.getMetadata().getUid())).toList();
        assertTrue(removed.size() >= SF_PARTITIONS - 1, "the loaders scaled away: " + removed.size());
        for (Pod pod : removed) {
            String log = kubelet.log(pod);
            String name = pod.getMetadata().getName();
            assertTrue(log.contains("asked to stop (SIGTERM)"), name + " was SIGTERMed:\n" + tail(log));
            java.util.regex.Matcher h = HELD.matcher(log);
            assertTrue(h.find() && Long.parseLong(h.group(1)) > 0, name + " held records at its SIGTERM:\n" + tail(log));
            java.util.regex.Matcher c = COMMITTED.matcher(log);
            assertTrue(c.find() && c.group(1).equals(c.group(2)) && c.group(2).equals(h.group(1)),
                    name + " committed every record it held at the stop:\n" + tail(log));
        }

        await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(() ->
                statusOf("OrderPipeline", SF_PIPELINE).get("consumerLag") instanceof Number lag && lag.longValue() == 0);
        awaitWarehouseAndPostgresEqualTheTopic();
        assertNoKafkaCoordinatesTwice();
        mark(t0, "step 4: done");
    }

    /** The last lines of a log, for a failure message. */
    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Where the story's time goes, in the test's output (E2E.md quotes these). */
    private static void mark(long startNanos, String what) {
        System.out.printf("story: %s after %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
    }

    private static boolean aLoaderIsReady() {
        return loaderPods().stream().anyMatch(p -> p.getStatus() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    @Test
    @Order(6)
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
    @Order(7)
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

    private static String templateAnnotation(String key) {
        Map<String, String> annotations = sfLoaders().getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    /** Waits until the loaders run the Deployment's current template: new pods, Ready, the old ones gone. */
    private static void awaitRolledOut(Set<String> before) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Deployment d = sfLoaders();
                List<Pod> pods = sfLoaderPods();
                return d.getStatus() != null && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())
                        && Integer.valueOf(d.getSpec().getReplicas()).equals(d.getStatus().getUpdatedReplicas())
                        && pods.size() == d.getSpec().getReplicas()
                        && pods.stream().allMatch(p -> ready(p) && !before.contains(p.getMetadata().getName()));
            });
        } catch (RuntimeException e) {
            throw new AssertionError("status " + statusOf("OrderPipeline", SF_PIPELINE) + "\nloaders:\n" + loaderLogs(), e);
        }
    }

    /** The first False condition of the Snowflake pipeline whose message names {@code text}, or an empty map. */
    private static Map<?, ?> falseConditionNaming(String text) {
        Object conditions = statusOf("OrderPipeline", SF_PIPELINE).get("conditions");
        return conditions instanceof List<?> list ? list.stream().map(c -> (Map<?, ?>) c)
                .filter(c -> "False".equals(c.get("status")) && String.valueOf(c.get("message")).contains(text))
                .findFirst().orElse(Map.of()) : Map.of();
    }

    private static Set<String> sfLoaderPodNames() {
        return sfLoaderPods().stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static long replicaSets(String instance) {
        return client.apps().replicaSets().inNamespace(NS).withLabel("app.kubernetes.io/instance", instance)
                .withLabel("app.kubernetes.io/component", "loader").list().getItems().size();
    }

    /** The Snowflake pipeline's loader pods that crash-loop: waiting in CrashLoopBackOff after at least one restart. */
    private static Optional<Pod> crashLoopingSfLoader() {
        return sfLoaderPods().stream().filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().stream().anyMatch(c -> c.getRestartCount() > 0
                        && c.getState() != null && c.getState().getWaiting() != null
                        && "CrashLoopBackOff".equals(c.getState().getWaiting().getReason())
                        && c.getLastState() != null && c.getLastState().getTerminated() != null)).findFirst();
    }

    /** No line of the key's body, nor the passphrase, in {@code text}. */
    private static void assertNoKeyMaterial(String text, String pem) {
        for (String line : pem.lines().filter(l -> !l.startsWith("-----") && !l.isBlank()).toList()) {
            assertFalse(text.contains(line), "key material in: " + text);
        }
        assertFalse(text.contains(SF_PASSPHRASE), "the passphrase in: " + text);
    }

    @Test
    @Order(8)
    void aSpecChangeAndASecretRotationRollTheLoadersAndABrokenSecretCrashLoopsThemDegradedWithItsCauseUntilFixed()
            throws Exception {
        long t0 = System.nanoTime();
        // A spec change the loaders read (a longer batch latency): a new template, a new ReplicaSet, new pods.
        String hash = templateAnnotation("orderpipeline.dev/config-hash");
        long replicaSets = replicaSets(SF_PIPELINE);
        Set<String> before = sfLoaderPodNames();
        api.kubectl().ok("patch", "opl/" + SF_PIPELINE, "-n", NS, "--type=merge", "-p", "{\"spec\":{\"batch\":{\"maxLatency\":\"2s\"}}}");
        await().atMost(WAIT).until(() -> !hash.equals(templateAnnotation("orderpipeline.dev/config-hash")));
        awaitRolledOut(before);
        assertTrue(replicaSets(SF_PIPELINE) > replicaSets, "a new ReplicaSet");
        mark(t0, "step 6: rolled by a spec change");

        // A Secret rotation (a new key pair): the Secret's version is on the template, so the pods roll.
        String versions = templateAnnotation("orderpipeline.dev/secret-versions");
        assertNotNull(versions, "the template names the Secrets' versions");
        before = sfLoaderPodNames();
        putSecret("snowflake-orderpipeline", snowflakeKey());
        await().atMost(WAIT).until(() -> !versions.equals(templateAnnotation("orderpipeline.dev/secret-versions")));
        mark(t0, "step 6: the template names the new Secret version");
        awaitRolledOut(before);
        mark(t0, "step 6: rolled by a Secret rotation");

        // A broken Secret: the key cut in half, as a bad copy-paste leaves it. The pods roll onto it; the runtime
        // reads the key at start-up, refuses it (exit 2, the configuration error naming the setting, never the key)
        // and the kubelet restarts it with its back-off: a crash loop. The rollout waits for a Ready pod, so the
        // loaders of the previous template go on loading meanwhile, as on a real cluster.
        String goodKey = SnowflakeKeyPair.pem(SF_PASSPHRASE);
        String truncated = goodKey.substring(0, goodKey.length() / 2);
        Set<String> beforeBroken = sfLoaderPodNames();
        putSecret("snowflake-orderpipeline", Map.of("rsa_key.p8", truncated, "passphrase", SF_PASSPHRASE));
        produceSf(300);
        Pod crashing;
        Map<?, ?> broken;
        try {
            crashing = await().atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                    .until(ProductOnAProcessClusterTest::crashLoopingSfLoader, Optional::isPresent).orElseThrow();
            mark(t0, "step 6: the broken key crash-loops");
            // The resource says why, from the pod's container state: Degraded, Ready False, the setting named.
            broken = await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(
                    () -> readyCondition("OrderPipeline", SF_PIPELINE), c -> "CrashLooping".equals(c.get("reason")));
            mark(t0, "step 6: Ready False, CrashLooping");
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(
                    () -> "Degraded".equals(ArgoCdHealth.of(live("OrderPipeline", SF_PIPELINE)).status()));
        } catch (RuntimeException e) {
            throw new AssertionError("status " + statusOf("OrderPipeline", SF_PIPELINE) + "\nloaders:\n" + loaderLogs(), e);
        }
        assertFalse(beforeBroken.contains(crashing.getMetadata().getName()), "a pod of the new template crash-loops");
        var container = crashing.getStatus().getContainerStatuses().get(0);
        assertTrue(container.getRestartCount() > 0, "restarted: " + container);
        assertFalse(container.getReady());
        assertEquals(2, container.getLastState().getTerminated().getExitCode(), "the runtime's configuration-error exit code");
        String termination = String.valueOf(container.getLastState().getTerminated().getMessage());
        assertTrue(termination.contains("OPL_SNOWFLAKE_PRIVATE_KEY") && termination.contains("is not PEM"),
                "the termination message names the setting and what is wrong: " + termination);
        assertNoKeyMaterial(termination, goodKey);
        assertTrue(kubelet.log(crashing).contains("OPL_SNOWFLAKE_PRIVATE_KEY"), kubelet.log(crashing));
        assertNoKeyMaterial(kubelet.log(crashing), goodKey);
        // Between its restarts the pod shows Running for a moment, in its back-off CrashLoopBackOff: wait for the latter.
        java.util.concurrent.atomic.AtomicReference<Kubectl.Result> pods = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
                pods.set(api.kubectl().ok("get", "pods", "-n", NS, "-l", "app.kubernetes.io/instance=" + SF_PIPELINE));
                return pods.get().stdout().contains("CrashLoopBackOff");
            });
        } catch (RuntimeException e) {
            throw new AssertionError(pods.get().describe(), e);
        }

        assertEquals("False", broken.get("status"), "a crash-looping pipeline is not Ready: " + broken);
        String message = String.valueOf(broken.get("message"));
        assertTrue(message.contains("exit code 2") && message.contains("OPL_SNOWFLAKE_PRIVATE_KEY"),
                "the condition names the cause: " + broken);
        assertEquals("Degraded", statusOf("OrderPipeline", SF_PIPELINE).get("phase"));
        assertNoKeyMaterial(Manifests.json(Manifests.JSON.valueToTree(statusOf("OrderPipeline", SF_PIPELINE))), goodKey);
        ArgoCdHealth degraded = ArgoCdHealth.of(live("OrderPipeline", SF_PIPELINE));
        assertTrue(degraded.message().contains("OPL_SNOWFLAKE_PRIVATE_KEY"), degraded.message());
        mark(t0, "step 6: Degraded with the cause");

        // Fixed: a good key again; the loaders roll onto it, the crash-looping pods go, the pipeline is Ready.
        putSecret("snowflake-orderpipeline", snowflakeKey());
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() ->
                    "True".equals(readyCondition("OrderPipeline", SF_PIPELINE).get("status"))
                            && "Running".equals(statusOf("OrderPipeline", SF_PIPELINE).get("phase"))
                            && crashLoopingSfLoader().isEmpty());
        } catch (RuntimeException e) {
            throw new AssertionError("status " + statusOf("OrderPipeline", SF_PIPELINE) + "\nloaders:\n" + loaderLogs(), e);
        }
        awaitRolledOut(Set.of());
        await().atMost(WAIT).until(() -> "Healthy".equals(ArgoCdHealth.of(live("OrderPipeline", SF_PIPELINE)).status()));
        mark(t0, "step 6: recovered");
        // Through the incident nothing was lost or loaded twice (the orders produced during it included).
        awaitWarehouseAndPostgresEqualTheTopic();
        assertNoKafkaCoordinatesTwice();
        mark(t0, "step 6: done");
    }

    @Test
    @Order(9)
    void aDbtRunRequestedByRunNonceRunsTheRealProjectAndItsSummaryLandsInTheStatus() {
        // DuckDB has one writer: the loader leaves the file to dbt (paused), as dbt/README.md says.
        setState("paused");
        await().atMost(WAIT).until(() -> loaderPods().isEmpty());
        // The project's local profile, pointed at this pipeline's warehouse file (the profile Secret is the endpoint).
        putSecret("dbt-local-profile", Map.of("profiles.yml", "order_pipeline:\n  target: local\n  outputs:\n    local:\n"
                + "      type: duckdb\n      path: \"" + warehouse + "\"\n      schema: main\n      threads: 1\n"));
        ObjectNode dbt = Manifests.JSON.createObjectNode();
        dbt.putObject("spec").putObject("dbt").put("image", dbtImage()).put("target", "local").put("runNonce", "story-1")
                .<ObjectNode>set("args", Manifests.JSON.createArrayNode().add("build"))
                .putObject("profile").put("name", "dbt-local-profile").put("key", "profiles.yml");
        api.kubectl().ok("patch", "opl/" + PIPELINE, "-n", NS, "--type=merge", "-p", Manifests.json(dbt));

        Map<?, ?> lastRun;
        try {
            lastRun = await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(
                    () -> status().get("dbt") instanceof Map<?, ?> d && d.get("lastRun") instanceof Map<?, ?> r ? r : Map.of(),
                    r -> "Succeeded".equals(r.get("result")) || "Failed".equals(r.get("result")));
        } catch (RuntimeException e) {
            throw new AssertionError("status " + status() + "\npods:\n" + loaderLogs(), e);
        }
        assertEquals("Succeeded", lastRun.get("result"), lastRun + "\n" + loaderLogs());
        assertTrue(((Number) lastRun.get("modelsPassed")).intValue() >= 5, "staging and marts built: " + lastRun);
        assertEquals(0, ((Number) lastRun.get("modelsFailed")).intValue(), lastRun.toString());
        assertTrue(((Number) lastRun.get("testsPassed")).intValue() > 0, lastRun.toString());
        assertEquals(0, ((Number) lastRun.get("testsFailed")).intValue(), lastRun.toString());
        // The marts are in the warehouse, built from the loaded orders.
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse, readOnly());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM main.fct_orders")) {
            rs.next();
            assertEquals(expected.size(), rs.getLong(1), "one fact row per order");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        setState("running");
    }

    @Test
    @Order(10)
    void deletedItsChildrenAreGarbageCollected() {
        GenericKubernetesResource live = resource();
        assertNotNull(live, "the pipeline exists");
        String uid = live.getMetadata().getUid();
        await().atMost(WAIT).until(() -> !loaderPods().isEmpty());
        api.kubectl().ok("delete", "cdc/" + CDC, "opl/" + SF_PIPELINE, "-n", NS, "--wait=true", "--timeout=60s");
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
