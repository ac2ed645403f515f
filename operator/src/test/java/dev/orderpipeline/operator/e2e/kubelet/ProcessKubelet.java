package dev.orderpipeline.operator.e2e.kubelet;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet for tests that runs containers as local processes: no container runtime, no images.
 *
 * <p>What it does: registers one Node ({@value #NODE_NAME}, Ready, InternalIP {@value #HOST_IP}); binds every
 * pending pod to it (it is the scheduler too); runs each pod's container as the local command its image
 * maps to ({@link LocalImages}), with the container's environment resolved (env, envFrom, Secret and
 * ConfigMap references, downward-API fieldRefs) and its volumes written (emptyDir, Secret, ConfigMap,
 * projected, and the ServiceAccount token through TokenRequest, bound to the pod); gives each pod its own
 * 127.0.0.N as podIP; runs the startup, liveness and readiness probes as declared; writes the pod status
 * (phase, PodScheduled/Initialized/ContainersReady/Ready, containerStatuses with restart counts,
 * CrashLoopBackOff with the kubelet's back-off, the termination message); on deletion sends SIGTERM,
 * waits the grace period, sends SIGKILL, then deletes the pod with grace 0, keeping the container's log
 * ({@link #log}) as a cluster's log shipping would. {@link #close()} stops every process it started.
 *
 * <p>What it does not do (each matters somewhere, see operator/E2E.md):
 * <ul>
 *   <li>no isolation: processes share the machine's filesystem, PID space and network; mount paths are
 *       rewritten in env values and args ({@link PodFiles}), the pod address is only where the process
 *       chooses to bind (a process binding 0.0.0.0 is reachable on every pod address, and two such
 *       processes on the same port collide);</li>
 *   <li>no resource limits (the memory limit only becomes the JVM's {@code -XX:MaxRAM}), no OOM kills, no
 *       securityContext (processes run as the test's user), no image pulls;</li>
 *   <li>one container per pod, no init or sidecar containers, no exec/grpc probes, no lifecycle hooks;</li>
 *   <li>Secret and ConfigMap volumes are written once, at pod start, never refreshed;</li>
 *   <li>no Services, DNS, kube-proxy, NetworkPolicy; no node heartbeat or eviction; no node-authorizer
 *       restrictions (it uses the client it is given); no scheduler constraints (affinity, taints).</li>
 * </ul>
 */
public final class ProcessKubelet implements AutoCloseable {
    public static final String NODE_NAME = "process-kubelet";
    public static final String HOST_IP = "127.0.0.1";
    private static final Logger LOG = LoggerFactory.getLogger(ProcessKubelet.class);

    private final KubernetesClient client;
    private final LocalImages images;
    private final Path workDirectory;
    private final String caCertificatePem;
    private final String apiServerHost;
    private final int apiServerPort;
    private final LoopbackAddresses addresses = new LoopbackAddresses();
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final Thread loop;
    private final Thread shutdownHook;
    private volatile boolean running = true;

    private ProcessKubelet(KubernetesClient client, LocalImages images, Path workDirectory) {
        this.client = client;
        this.images = images;
        this.workDirectory = workDirectory;
        URI master = URI.create(client.getConfiguration().getMasterUrl());
        this.apiServerHost = master.getHost();
        this.apiServerPort = master.getPort();
        this.caCertificatePem = caCertificate(client);
        this.loop = new Thread(this::loop, "process-kubelet");
        this.loop.setDaemon(true);
        // A test JVM that exits without closing (a failed @BeforeAll) still takes its processes along.
        this.shutdownHook = new Thread(() -> processes.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }), "process-kubelet-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Registers the node and starts running pods. {@code client} is the kubelet's own (an admin client here). */
    public static ProcessKubelet start(KubernetesClient client, LocalImages images, Path workDirectory) {
        try {
            Files.createDirectories(workDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessKubelet kubelet = new ProcessKubelet(client, images, workDirectory);
        kubelet.registerNode();
        kubelet.loop.start();
        return kubelet;
    }

    private void registerNode() {
        var node = new NodeBuilder()
                .withNewMetadata().withName(NODE_NAME)
                .addToLabels("kubernetes.io/hostname", NODE_NAME).addToLabels("kubernetes.io/os", "linux")
                .endMetadata()
                .build();
        client.nodes().resource(node).serverSideApply();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.nodes().withName(NODE_NAME).editStatus(n -> {
            n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                    .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                    .withMessage("process kubelet is posting ready status").withLastHeartbeatTime(now)
                    .withLastTransitionTime(now).endCondition()
                    .addNewAddress().withType("InternalIP").withAddress(HOST_IP).endAddress()
                    .addNewAddress().withType("Hostname").withAddress(NODE_NAME).endAddress()
                    .withCapacity(Map.of("cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())),
                            "memory", new Quantity("16Gi"), "pods", new Quantity("110")))
                    .withAllocatable(Map.of("cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())),
                            "memory", new Quantity("16Gi"), "pods", new Quantity("110")))
                    .withNewNodeInfo().withKubeletVersion("process-kubelet").withOperatingSystem("linux")
                    .withArchitecture("amd64").withContainerRuntimeVersion("process://").withKernelVersion("")
                    .withOsImage("").withKubeProxyVersion("").withMachineID("").withSystemUUID("").withBootID("")
                    .endNodeInfo()
                    .build());
            return n;
        });
    }

    private void loop() {
        while (running) {
            try {
                sync();
            } catch (KubernetesClientException e) {
                LOG.debug("event=kubelet_sync_failed reason={}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("event=kubelet_sync_failed", e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sync() {
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
        Set<String> present = new HashSet<>();
        for (Pod pod : pods) {
            String uid = pod.getMetadata().getUid();
            present.add(uid);
            String nodeName = pod.getSpec().getNodeName();
            boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
            if (nodeName == null || nodeName.isEmpty()) {
                if (!deleting) {
                    bind(pod);
                }
                continue;
            }
            if (!NODE_NAME.equals(nodeName)) {
                continue;
            }
            PodWorker worker = workers.get(uid);
            if (worker == null) {
                String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                if (deleting) {
                    // Never ran here (or already stopped): nothing to stop, finish the deletion.
                    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                            .withGracePeriod(0).delete();
                } else if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                    worker = new PodWorker(this, pod, addresses.allocate());
                    workers.put(uid, worker);
                    Thread t = new Thread(worker, "pod-" + pod.getMetadata().getName());
                    t.setDaemon(true);
                    t.start();
                }
            } else if (deleting) {
                worker.delete(pod.getMetadata().getDeletionGracePeriodSeconds());
            } else {
                worker.update(pod);
            }
        }
        workers.forEach((uid, worker) -> {
            if (!present.contains(uid)) {
                worker.stop(0);
            }
            if (worker.finished()) {
                workers.remove(uid);
                addresses.release(worker.podIP());
            }
        });
    }

    private void bind(Pod pod) {
        try {
            client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
                    .withUid(pod.getMetadata().getUid()).endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(NODE_NAME).endTarget()
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.debug("event=kubelet_bind_failed pod={}/{} reason={}", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.getMessage());
        }
    }

    KubernetesClient client() {
        return client;
    }

    LocalImages images() {
        return images;
    }

    Path workDirectory() {
        return workDirectory;
    }

    String caCertificatePem() {
        return caCertificatePem;
    }

    String apiServerHost() {
        return apiServerHost;
    }

    int apiServerPort() {
        return apiServerPort;
    }

    void track(Process process) {
        processes.add(process);
    }

    void untrack(Process process) {
        processes.remove(process);
    }

    /** The processes running now (for tests that look at them from outside). */
    public Set<Process> processes() {
        return Set.copyOf(processes);
    }

    /** The log of a pod's container, also once the pod is gone (kept as a node's log shipper would). */
    public String log(Pod pod) {
        PodFiles files = new PodFiles(workDirectory, pod);
        try {
            Path log = files.log(pod.getSpec().getContainers().get(0));
            if (!Files.isRegularFile(log)) {
                log = files.keptLog(pod.getSpec().getContainers().get(0));
            }
            return Files.isRegularFile(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static String caCertificate(KubernetesClient client) {
        var config = client.getConfiguration();
        try {
            if (config.getCaCertData() != null) {
                return new String(Base64.getDecoder().decode(config.getCaCertData()), StandardCharsets.US_ASCII);
            }
            if (config.getCaCertFile() != null) {
                return Files.readString(Path.of(config.getCaCertFile()), StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("the kubelet's client has no CA certificate to hand to the pods");
    }

    /** Stops every container (SIGTERM, up to 10 s, SIGKILL); pod objects are left as they are. */
    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.values().forEach(w -> w.stop(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (workers.values().stream().anyMatch(w -> !w.finished()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        processes.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
