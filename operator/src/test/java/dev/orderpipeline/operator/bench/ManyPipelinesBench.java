package dev.orderpipeline.operator.bench;

import com.sun.net.httpserver.HttpServer;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.operator.OperatorProcess;
import dev.orderpipeline.operator.ProcessSettings;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.ScalingSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.config.OperatorSettings;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The operator with many pipelines: the real {@link OperatorProcess} (production intervals and thread settings)
 * against fabric8's mock API server in CRUD mode and one real KRaft broker, with a stand-in for the cluster's
 * controllers (each loader Deployment reports its replicas ready and gets one running pod) and one HTTP server
 * answering every pod's {@code /status}. Prints one table: time until all pipelines are Ready, API requests and
 * status writes per minute at steady state, Kafka Admin clients and their threads, live threads and heap.
 *
 * <p>Not a test: figures are printed, never asserted. Run (README, "Operator with many pipelines"):
 * <pre>
 * mvn -B -o -q -pl operator -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=target/test.classpath -DskipE2e
 * java -Xmx1g -cp operator/target/test-classes:operator/target/classes:$(cat operator/target/test.classpath) \
 *     dev.orderpipeline.operator.bench.ManyPipelinesBench [pipelines] [steadySeconds]
 * </pre>
 * The broker and the mock API server share the JVM with the operator: heap is reported both for the JVM and as
 * the growth from before the operator started.
 */
public final class ManyPipelinesBench {
    private static final String NAMESPACE = "bench";
    private static final Pattern STATUS_WRITE = Pattern.compile("/orderpipelines/[^/?]+/status");
    private static final String ADMIN_THREAD = "kafka-admin-client-thread";

    private ManyPipelinesBench() {
    }

    /** Counts what the operator asks of the API server, by kind of request. */
    static final class CountingDispatcher extends KubernetesCrudDispatcher {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong statusWrites = new AtomicLong();
        final AtomicLong secretReads = new AtomicLong();
        final AtomicLong podLists = new AtomicLong();
        final AtomicLong writes = new AtomicLong();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            String method = request.getMethod();
            requests.incrementAndGet();
            boolean read = "GET".equals(method);
            if (!read) {
                writes.incrementAndGet();
            }
            if (("PATCH".equals(method) || "PUT".equals(method)) && STATUS_WRITE.matcher(path).find()) {
                statusWrites.incrementAndGet();
            }
            if (read && path.contains("/secrets/")) {
                secretReads.incrementAndGet();
            }
            if (read && path.matches(".*/pods(\\?.*)?") && !path.contains("watch=true")) {
                podLists.incrementAndGet();
            }
            return super.dispatch(request);
        }

        void resetCounts() {
            requests.set(0);
            statusWrites.set(0);
            secretReads.set(0);
            podLists.set(0);
            writes.set(0);
        }
    }

    public static void main(String[] args) throws Exception {
        int pipelines = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int steadySeconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);

        CountingDispatcher dispatcher = new CountingDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, true);
        server.init();
        KubernetesClient client = server.createClient();
        installCrds(client);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                .create();
        TestPipelines.secrets(NAMESPACE).forEach(s -> client.resource(s).create());

        AtomicLong statusCalls = new AtomicLong();
        HttpServer runtime = runtimeStatusServer(statusCalls);
        ExecutorService controllerWork = Executors.newFixedThreadPool(2, r -> daemon(r, "bench-controller"));
        var deployments = client.apps().deployments().inNamespace(NAMESPACE).inform(new FakeControllers(client,
                controllerWork));

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTopics(kafka, pipelines);
            long heapBefore = usedHeapAfterGc();
            int threadsBefore = Thread.activeCount();

            // The operator's own settings from this process's environment (OPL_RECONCILE_THREADS, …), as in a pod.
            OperatorSettings fromEnv = OperatorSettings.fromEnvironment(System.getenv());
            OperatorSettings settings = fromEnv.withRuntimeStatus(runtime.getAddress().getPort(),
                    fromEnv.runtimeStatusInterval());
            OperatorProcess operator = OperatorProcess.start(settings,
                    new ProcessSettings(0, false, "bench", Optional.empty(), "bench"), client, Clock.systemUTC(),
                    o -> o.withSSABasedCreateUpdateMatchForDependentResources(false)
                            .withUseSSAToPatchPrimaryResource(false)
                            .withCloseClientOnStop(false));

            long start = System.nanoTime();
            for (int i = 0; i < pipelines; i++) {
                client.resource(TestPipelines.pipeline(NAMESPACE, name(i), spec(kafka.bootstrapServers(), topic(i))))
                        .create();
            }
            double createdSeconds = (System.nanoTime() - start) / 1e9;
            int peakAdminThreads = 0;
            while (ready(client) < pipelines) {
                peakAdminThreads = Math.max(peakAdminThreads, threads(ADMIN_THREAD));
                Thread.sleep(200);
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException("only " + ready(client) + " of " + pipelines + " Ready after 10 min");
                }
            }
            double readySeconds = (System.nanoTime() - start) / 1e9;

            // Past the first read of every pod's /status (its interval), then count a steady window.
            Thread.sleep(settings.runtimeStatusInterval().plusSeconds(5).toMillis());
            dispatcher.resetCounts();
            statusCalls.set(0);
            Thread.sleep(TimeUnit.SECONDS.toMillis(steadySeconds));
            double minutes = steadySeconds / 60.0;
            Map<String, Long> counts = Map.of(
                    "requests", dispatcher.requests.get(), "writes", dispatcher.writes.get(),
                    "statusWrites", dispatcher.statusWrites.get(), "secretReads", dispatcher.secretReads.get(),
                    "podLists", dispatcher.podLists.get(), "statusCalls", statusCalls.get());
            long heapWith = usedHeapAfterGc();
            Map<String, Integer> threadGroups = threadGroups();

            System.out.printf("%n`ManyPipelinesBench` %s, %d pipelines (one topic of 2 partitions each, one broker), "
                            + "steady window %d s, %d reconcile / %d workflow threads, Java %s, %d cores, -Xmx%d MiB%n%n",
                    Instant.now().toString().substring(0, 10), pipelines, steadySeconds, settings.reconcileThreads(),
                    settings.workflowThreads(), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
            System.out.println("| measure | value |");
            System.out.println("|---|---:|");
            row("pipelines created (API calls of the bench)", String.format("%.1f s", createdSeconds));
            row("first create → all " + pipelines + " Ready", String.format("%.1f s", readySeconds));
            row("steady state: status writes per minute (PATCH/PUT …/status)", perMinute(counts.get("statusWrites"), minutes));
            row("steady state: all API writes per minute", perMinute(counts.get("writes"), minutes));
            row("steady state: API requests per minute (reads and writes)", perMinute(counts.get("requests"), minutes));
            row("steady state: Secret reads per minute", perMinute(counts.get("secretReads"), minutes));
            row("steady state: pod lists per minute", perMinute(counts.get("podLists"), minutes));
            row("steady state: pod /status calls per minute", perMinute(counts.get("statusCalls"), minutes));
            row("pipelines with SourceReachable True at the end / Warning Events BootstrapUnreachable in the run",
                    reachable(client) + " / " + client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                            .filter(e -> "BootstrapUnreachable".equals(e.getReason())).count());
            row("Kafka Admin client threads (`" + ADMIN_THREAD + "`), steady / peak during start",
                    threads(ADMIN_THREAD) + " / " + Math.max(peakAdminThreads, threads(ADMIN_THREAD)));
            row("live threads of the JVM: before the operator / with " + pipelines + " pipelines",
                    threadsBefore + " / " + Thread.activeCount());
            row("heap used after GC: JVM (broker and mock API server included) / growth since before the operator",
                    (heapWith >> 20) + " / " + ((heapWith - heapBefore) >> 20) + " MiB");
            System.out.println();
            System.out.println("Threads by name (digits folded): " + threadGroups);

            operator.close();
        } finally {
            deployments.close();
            controllerWork.shutdownNow();
            runtime.stop(0);
            client.close();
            server.destroy();
        }
        System.exit(0);
    }

    private static void row(String measure, String value) {
        System.out.println("| " + measure + " | " + value + " |");
    }

    private static String perMinute(long count, double minutes) {
        return String.format("%.1f", count / minutes);
    }

    private static String name(int i) {
        return String.format("orders-%03d", i);
    }

    private static String topic(int i) {
        return String.format("orders-%03d", i);
    }

    /** Lag scaling on the bench's topic, into Snowflake (whose Secrets exist); no credentials for Kafka. */
    private static OrderPipelineSpec spec(String bootstrap, String topic) {
        return new OrderPipelineSpec(
                new SourceSpec(bootstrap, topic, null, SourceSpec.Format.JSON, SourceSpec.StartPosition.EARLIEST, null, null),
                TestPipelines.snowflakeSpec().sink(), null,
                new ScalingSpec(ScalingSpec.Mode.LAG, null, 1, 4, 100_000L, "5m"),
                null, null, null, PipelineState.RUNNING);
    }

    private static void createTopics(EmbeddedKafka kafka, int count) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            topics.add(new NewTopic(topic(i), 2, (short) 1));
        }
        try (Admin admin = kafka.admin()) {
            admin.createTopics(topics).all().get(2, TimeUnit.MINUTES);
        }
    }

    private static long ready(KubernetesClient client) {
        return client.resources(OrderPipeline.class).inNamespace(NAMESPACE).list().getItems().stream()
                .filter(p -> p.getStatus() != null && Conditions.isTrue(p.getStatus().conditions(), ConditionType.Ready))
                .count();
    }

    private static long reachable(KubernetesClient client) {
        return client.resources(OrderPipeline.class).inNamespace(NAMESPACE).list().getItems().stream()
                .filter(p -> p.getStatus() != null
                        && Conditions.isTrue(p.getStatus().conditions(), ConditionType.SourceReachable))
                .count();
    }

    /** What the kube-controller-manager and kubelets would do: every loader Deployment gets ready pods. */
    private static final class FakeControllers implements ResourceEventHandler<Deployment> {
        private final KubernetesClient client;
        private final ExecutorService work;

        FakeControllers(KubernetesClient client, ExecutorService work) {
            this.client = client;
            this.work = work;
        }

        @Override
        public void onAdd(Deployment deployment) {
            work.submit(() -> rollOut(deployment));
        }

        @Override
        public void onUpdate(Deployment before, Deployment deployment) {
            work.submit(() -> rollOut(deployment));
        }

        @Override
        public void onDelete(Deployment deployment, boolean unknownFinalState) {
        }

        private void rollOut(Deployment deployment) {
            try {
                int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
                Long generation = deployment.getMetadata().getGeneration();
                var status = deployment.getStatus();
                if (status == null || !Integer.valueOf(replicas).equals(status.getReadyReplicas())
                        || !java.util.Objects.equals(generation, status.getObservedGeneration())) {
                    deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(generation)
                            .withReplicas(replicas).withReadyReplicas(replicas).withUpdatedReplicas(replicas)
                            .withAvailableReplicas(replicas).build());
                    client.resource(deployment).updateStatus();
                }
                String pod = deployment.getMetadata().getName() + "-0";
                if (client.pods().inNamespace(NAMESPACE).withName(pod).get() == null) {
                    Pod created = client.resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace(NAMESPACE)
                            .withUid(java.util.UUID.randomUUID().toString())
                            .withLabels(deployment.getSpec().getSelector().getMatchLabels()).endMetadata()
                            .withNewSpec().addNewContainer().withName("loader").withImage("bench").endContainer().endSpec()
                            .build()).create();
                    created.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                            .withPodIP("127.0.0.1").build());
                    client.resource(created).updateStatus();
                }
            } catch (RuntimeException e) {
                // A conflict with the operator's own write: the next event rolls it out.
            }
        }
    }

    /** Every pod's /status: a loader that loaded 1000 records and committed once, unchanging. */
    private static HttpServer runtimeStatusServer(AtomicLong calls) throws java.io.IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = "{\"recordsLoaded\":1000,\"lastCommitTime\":\"2026-12-02T10:00:00Z\",\"lastFreshnessMillis\":800}"
                .getBytes(StandardCharsets.UTF_8);
        http.createContext("/status", exchange -> {
            calls.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.setExecutor(Executors.newFixedThreadPool(4, r -> daemon(r, "bench-runtime-status")));
        http.start();
        return http;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void installCrds(KubernetesClient client) throws java.io.IOException {
        for (String file : Set.of("orderpipelines.orderpipeline.dev-v1.yml", "cdcsyncs.orderpipeline.dev-v1.yml")) {
            try (InputStream yaml = ManyPipelinesBench.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
                if (yaml == null) {
                    throw new IllegalStateException(file + " is not on the class path: run test-compile first");
                }
                client.resource(client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class))
                        .create();
            }
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int threads(String prefix) {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    private static Map<String, Integer> threadGroups() {
        Map<String, Integer> groups = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName().replaceAll("\\d+", "N");
            if (name.startsWith(ADMIN_THREAD)) {
                name = ADMIN_THREAD;
            }
            groups.merge(name, 1, Integer::sum);
        }
        return groups;
    }
}
