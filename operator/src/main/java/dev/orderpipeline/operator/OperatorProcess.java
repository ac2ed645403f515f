package dev.orderpipeline.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.orderpipeline.operator.config.OperatorSettings;
import dev.orderpipeline.operator.metrics.MetricsSettings;
import dev.orderpipeline.operator.metrics.OperatorRegistries;
import dev.orderpipeline.operator.reconciler.CdcSyncReconciler;
import dev.orderpipeline.operator.reconciler.OrderPipelineReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: both controllers, JOSDK's, the JVM's and the operator's own meters in
 * {@link OperatorRegistries} (Prometheus on {@code /metrics}, and DogStatsD to the node's Datadog agent
 * when {@link MetricsSettings} turn it on), leader election with a Lease, and a small HTTP server with
 * {@code /healthz}, {@code /readyz} and {@code /metrics}.
 *
 * <ul>
 *   <li>{@code /healthz}: 200 while the process runs (liveness; a JOSDK that loses its Lease exits the
 *   process by itself).</li>
 *   <li>{@code /readyz}: 200 once the operator has started and, on the leader, every informer is synced and
 *   watching; a stand-by replica waiting for the Lease is ready too, so a rolling update of the operator
 *   does not wait for a leadership it cannot get before the old pod leaves.</li>
 * </ul>
 */
public final class OperatorProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorProcess.class);

    private final Operator operator;
    private final OrderPipelineReconciler orderPipelines;
    private final OperatorRegistries registries;
    private final HttpServer http;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final boolean leaderElection;

    private OperatorProcess(OperatorSettings settings, ProcessSettings process, MetricsSettings metrics,
                            KubernetesClient client, Clock clock, Consumer<ConfigurationServiceOverrider> extra)
            throws IOException {
        this.leaderElection = process.leaderElection();
        registries = OperatorRegistries.create(metrics);
        Consumer<ConfigurationServiceOverrider> overrides = o -> {
            o.withMetrics(registries.josdkMetrics());
            // One place for JOSDK's concurrency: these threads are shared by both controllers.
            o.withConcurrentReconciliationThreads(settings.reconcileThreads())
                    .withConcurrentWorkflowExecutorThreads(settings.workflowThreads());
            if (client != null) {
                o.withKubernetesClient(client);
            }
            if (process.leaderElection()) {
                LeaderElectionConfigurationBuilder lease = LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration(process.leaseName())
                        .withIdentity(process.identity())
                        .withLeaseDuration(process.leaseTiming().leaseDuration())
                        .withRenewDeadline(process.leaseTiming().renewDeadline())
                        .withRetryPeriod(process.leaseTiming().retryPeriod())
                        // JOSDK would call System.exit even while this process shuts down (from a shutdown hook,
                        // where exit blocks forever); the callback below exits only on a real loss.
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> {
                                    leading.set(true);
                                    LOG.info("event=leader_elected identity={} lease={}", process.identity(),
                                            process.leaseName());
                                },
                                () -> {
                                    leading.set(false);
                                    if (!closing.get()) {
                                        // Another replica may now reconcile: stop at once rather than race it.
                                        LOG.error("event=leadership_lost identity={} lease={} action=exit",
                                                process.identity(), process.leaseName());
                                        new Thread(() -> System.exit(1), "leadership-lost-exit").start();
                                    }
                                },
                                leader -> LOG.info("event=leader_observed leader={} lease={}", leader,
                                        process.leaseName())));
                process.leaseNamespace().ifPresent(lease::withLeaseNamespace);
                o.withLeaderElectionConfiguration(lease.build());
            }
            extra.accept(o);
        };
        operator = new Operator(overrides);
        orderPipelines = new OrderPipelineReconciler(settings, clock, registries.registry());
        operator.register(orderPipelines, config -> watch(config, settings));
        operator.register(new CdcSyncReconciler(settings, clock), config -> watch(config, settings));

        http = HttpServer.create(new InetSocketAddress(process.httpPort()), 0);
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "operator-http");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
        http.createContext("/readyz", ex -> {
            boolean ready = ready();
            respond(ex, ready ? 200 : 503, "text/plain", ready ? "ready\n" : "not ready\n");
        });
        http.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                registries.prometheus().scrape()));
        http.start();
    }

    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> void watch(
            ControllerConfigurationOverrider<R> config, OperatorSettings settings) {
        if (!settings.namespaces().isEmpty()) {
            config.settingNamespaces(settings.namespaces());
        }
    }

    /**
     * Starts the operator.
     *
     * @param client the client to use; null builds one from the environment (in-cluster or kubeconfig)
     */
    public static OperatorProcess start(OperatorSettings settings, ProcessSettings process, KubernetesClient client,
                                        Clock clock) throws IOException {
        return start(settings, process, client, clock, o -> { });
    }

    /** Same, with further JOSDK settings (tests: no server-side apply on the mock API server); metrics on /metrics only. */
    public static OperatorProcess start(OperatorSettings settings, ProcessSettings process, KubernetesClient client,
                                        Clock clock, Consumer<ConfigurationServiceOverrider> extra) throws IOException {
        return start(settings, process, MetricsSettings.prometheusOnly(), client, clock, extra);
    }

    /** Same, with where the meters go besides /metrics (DogStatsD to the node's Datadog agent). */
    public static OperatorProcess start(OperatorSettings settings, ProcessSettings process, MetricsSettings metrics,
                                        KubernetesClient client, Clock clock,
                                        Consumer<ConfigurationServiceOverrider> extra) throws IOException {
        OperatorProcess started = new OperatorProcess(settings, process, metrics, client, clock, extra);
        started.operator.start();
        LOG.info("event=operator_started runtime_image={} namespaces={} leader_election={} http_port={} "
                        + "reconcile_threads={} workflow_threads={}",
                settings.runtimeImage(), settings.namespaces().isEmpty() ? "all" : String.join(",", settings.namespaces()),
                process.leaderElection(), started.httpPort(), settings.reconcileThreads(), settings.workflowThreads());
        return started;
    }

    public boolean ready() {
        if (!operator.getRuntimeInfo().isStarted()) {
            return false;
        }
        if (leaderElection && !leading.get()) {
            return true;
        }
        return operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    public boolean leading() {
        return leading.get();
    }

    public int httpPort() {
        return http.getAddress().getPort();
    }

    public void installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "operator-shutdown"));
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        LOG.info("event=operator_stopping");
        operator.stop();
        orderPipelines.close();
        http.stop(0);
        registries.close();
    }

    private static void respond(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
