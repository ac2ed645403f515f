package dev.orderpipeline.operator.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real kube-controller-manager (built by {@code .ci/k8s-binaries} from the same Kubernetes release as the
 * API server) with the controllers the user's story needs: Deployments → ReplicaSets → Pods, garbage
 * collection through owner references, ServiceAccounts and their tokens, namespace deletion, Jobs and
 * CronJobs. No serving port (loopback-only and unneeded), no leader election (one instance).
 */
public final class ControllerManager implements AutoCloseable {
    public static final List<String> CONTROLLERS = List.of("deployment", "replicaset", "garbagecollector",
            "serviceaccount", "serviceaccount-token", "namespace", "job", "cronjob");
    private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);
    private final Process process;
    private final Path log;

    private ControllerManager(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts it against {@code api} and waits until its ServiceAccount controller has made {@code default/default}. */
    public static ControllerManager start(ApiServer api) {
        Path cache = ApiServer.cacheDir();
        Path binary = cache.resolve("k8s").resolve(ApiServer.VERSION + "-linux-amd64").resolve("kube-controller-manager");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("The story needs " + binary + " (Kubernetes " + ApiServer.VERSION
                    + "), which is missing. Run .ci/k8s-binaries (with OPL_K8S_CACHE=" + cache
                    + "); `mvn verify` does this by itself. See operator/E2E.md.");
        }
        try {
            Path log = Files.createTempFile("opl-e2e-kube-controller-manager", ".log");
            Process process = new ProcessBuilder(List.of(binary.toString(),
                    "--kubeconfig=" + api.kubeconfig(),
                    "--controllers=" + String.join(",", CONTROLLERS),
                    // The API server signs ServiceAccount tokens with this key (kube-api-test's certificates).
                    "--service-account-private-key-file=" + cache.resolve("apiserver.key"),
                    "--root-ca-file=" + cache.resolve("apiserver.crt"),
                    "--use-service-account-credentials=false",
                    "--leader-elect=false",
                    "--secure-port=0",
                    "--concurrent-gc-syncs=5",
                    "--v=1"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            ControllerManager manager = new ControllerManager(process, log);
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (api.client().serviceAccounts().inNamespace("default").withName("default").get() == null) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    String output = manager.output();
                    manager.close();
                    throw new IllegalStateException("kube-controller-manager did not come up (exit "
                            + (process.isAlive() ? "none" : process.exitValue()) + "):\n" + output);
                }
                Thread.sleep(200);
            }
            LOG.info("event=e2e_controller_manager_started controllers={} log={}", CONTROLLERS, log);
            return manager;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of its log, for failure messages. */
    public String output() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
