package dev.orderpipeline.operator.e2e;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real kube-apiserver with its etcd for the whole test run, started by fabric8's envtest
 * (kube-api-test) from the binaries that {@code .ci/k8s-binaries} builds. Shared by every e2e test
 * class through JUnit's root store and stopped when the run ends.
 *
 * <p>Offline: kube-api-test never downloads (its environment variable for that is broken in 7.5–7.6, so
 * the builder is used). Loopback only: the API server binds 127.0.0.1; etcd's client URL, which
 * kube-api-test puts on 0.0.0.0, is narrowed to 127.0.0.1 by the etcd wrapper the script builds.
 */
public final class ApiServer implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    /** Set by the build (operator/pom.xml opl.k8s.version, also given to .ci/k8s-binaries). */
    public static final String VERSION = System.getProperty("opl.k8s.version", "1.33.13");
    public static final String CACHE_PROPERTY = "opl.k8s.cache";
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final KubeAPIServer server;
    private final Path kubeconfig;
    private final KubernetesClient client;
    private final Duration startup;

    private ApiServer() {
        Path cache = cacheDir();
        Path bin = cache.resolve("k8s").resolve(VERSION + "-linux-amd64");
        for (String binary : new String[] {"kube-apiserver", "etcd", "kubectl"}) {
            File f = bin.resolve(binary).toFile();
            if (!f.canExecute()) {
                throw new IllegalStateException("The end-to-end suite needs " + f + " (Kubernetes " + VERSION
                        + "), which is missing. Run .ci/k8s-binaries (with OPL_K8S_CACHE=" + cache
                        + ") to build kube-apiserver and etcd from Go modules; `mvn verify` does this by itself"
                        + " unless -DskipTests/-DskipE2e is given. See operator/E2E.md.");
            }
        }
        Instant t0 = Instant.now();
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(cache.toString())
                .withApiServerVersion(VERSION)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withWaitForEtcdHealthCheckOnStartup(true)
                // Two shared cores: the first start of a cold API server can take a while.
                .withStartupTimeout((int) Duration.ofMinutes(3).toMillis())
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .withApiServerFlag("--advertise-address", "127.0.0.1")
                .build());
        server.start();
        startup = Duration.between(t0, Instant.now());
        LOG.info("event=e2e_api_server_started version={} binaries={} startup_ms={}", VERSION, bin, startup.toMillis());
        try {
            kubeconfig = Files.createTempFile("opl-e2e-kubeconfig", ".yaml",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(kubeconfig, server.getKubeConfigYaml());
        } catch (IOException e) {
            server.stop();
            throw new UncheckedIOException(e);
        }
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
        Kubectl.Result version = kubectl().run("version");
        LOG.info("event=e2e_kubectl_version {}", version.stdout().strip().replace('\n', ' '));
    }

    /** The API server of this test run, started on first use. */
    public static ApiServer get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(ApiServer.class, k -> new ApiServer(), ApiServer.class);
    }

    /**
     * An API server of its own, not the shared one: for a suite that runs controllers (a garbage collector)
     * the other e2e classes must not see. The caller closes it.
     */
    public static ApiServer startDedicated() {
        return new ApiServer();
    }

    static Path cacheDir() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("OPL_K8S_CACHE");
        }
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty("user.home") + "/.cache/order-pipeline/k8s";
        }
        return Path.of(configured);
    }

    public KubernetesClient client() {
        return client;
    }

    /** A client of its own (e.g. for the operator, which closes what it is given). */
    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public Duration startup() {
        return startup;
    }

    public Kubectl kubectl() {
        return new Kubectl(cacheDir().resolve("k8s").resolve(VERSION + "-linux-amd64").resolve("kubectl"), kubeconfig);
    }

    @Override
    public void close() {
        client.close();
        server.stop();
        try {
            Files.deleteIfExists(kubeconfig);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
