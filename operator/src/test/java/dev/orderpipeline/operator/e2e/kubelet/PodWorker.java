package dev.orderpipeline.operator.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on the process kubelet: its one container as a local process, its probes, its status, and its
 * end (SIGTERM, the grace period, SIGKILL). Runs on a thread of its own.
 */
final class PodWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration BASE_BACKOFF = Duration.ofSeconds(10);
    /** A container that ran this long before exiting starts its next crash loop from the first back-off. */
    private static final Duration BACKOFF_RESET = Duration.ofMinutes(10);
    private static final int MAX_MESSAGE = 4096;

    private final ProcessKubelet kubelet;
    private final String namespace;
    private final String name;
    private final String uid;
    private final String podIP;
    private final PodFiles files;
    private final Instant startTime = Instant.now();
    private volatile Pod pod;
    private volatile boolean stopRequested;
    private volatile boolean deleteWhenStopped;
    private volatile Long gracePeriodSeconds;
    private volatile boolean finished;

    private Process process;
    private Instant processStarted;
    private Probes readiness;
    private Probes liveness;
    private Probes startup;
    private boolean started;
    private int restartCount;
    private int crashes;
    private Instant nextStart = Instant.EPOCH;
    private ContainerState state;
    private ContainerState lastState;
    private String phase = "Pending";
    private boolean volumesReady;
    private String killReason;
    private String lastPublished = "";
    private final Map<String, String[]> transitions = new LinkedHashMap<>();

    PodWorker(ProcessKubelet kubelet, Pod pod, String podIP) {
        this.kubelet = kubelet;
        this.pod = pod;
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.uid = pod.getMetadata().getUid();
        this.podIP = podIP;
        this.files = new PodFiles(kubelet.workDirectory(), pod);
        this.state = waiting("ContainerCreating", null);
    }

    String podIP() {
        return podIP;
    }

    boolean finished() {
        return finished;
    }

    /** The API server's latest copy (labels and annotations may change). */
    void update(Pod latest) {
        this.pod = latest;
    }

    /** Deletion requested: stop the container within {@code grace} seconds, then delete the pod object. */
    void delete(Long grace) {
        gracePeriodSeconds = grace;
        deleteWhenStopped = true;
        stopRequested = true;
    }

    /** The kubelet is shutting down (or the pod is gone): stop the container, leave the object alone. */
    void stop(long grace) {
        gracePeriodSeconds = grace;
        stopRequested = true;
    }

    private Container container() {
        return pod.getSpec().getContainers().get(0);
    }

    @Override
    public void run() {
        try {
            while (!stopRequested) {
                tick(Instant.now());
                publish();
                sleep(200);
            }
            terminate(gracePeriod(), null);
            publish();
            if (deleteWhenStopped) {
                try {
                    // What the kubelet does once the containers are gone: the final delete with grace 0.
                    kubelet.client().pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
                } catch (KubernetesClientException e) {
                    LOG.debug("event=kubelet_final_delete_failed pod={}/{} reason={}", namespace, name, e.getMessage());
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("event=kubelet_pod_worker_failed pod={}/{}", namespace, name, e);
            terminate(0, null);
        } finally {
            files.delete(pod.getSpec().getContainers());
            finished = true;
        }
    }

    private long gracePeriod() {
        if (gracePeriodSeconds != null) {
            return gracePeriodSeconds;
        }
        Long spec = pod.getSpec().getTerminationGracePeriodSeconds();
        return spec == null ? 30 : spec;
    }

    private void tick(Instant now) {
        if (pod.getSpec().getContainers().size() != 1
                || (pod.getSpec().getInitContainers() != null && !pod.getSpec().getInitContainers().isEmpty())) {
            state = waiting("CreateContainerConfigError", "the process kubelet runs pods of exactly one container and no init containers");
            return;
        }
        if (process == null) {
            if ("Succeeded".equals(phase) || "Failed".equals(phase) || now.isBefore(nextStart)) {
                return;
            }
            start(now);
        } else if (!process.isAlive()) {
            exited(now, process.exitValue(), killReason);
        } else {
            probe(now);
        }
    }

    private void start(Instant now) {
        Container container = container();
        try {
            if (!volumesReady) {
                files.prepare(kubelet.client(), pod, kubelet.caCertificatePem());
                volumesReady = true;
            }
            Map<String, Path> mounts = files.mounts(container);
            Map<String, String> env = new LinkedHashMap<>();
            ContainerEnvironment.resolve(kubelet.client(), pod, container, podIP, ProcessKubelet.HOST_IP,
                    kubelet.apiServerHost(), kubelet.apiServerPort()).forEach((k, v) -> env.put(k, PodFiles.map(v, mounts)));
            List<String> args = new ArrayList<>();
            for (String arg : container.getArgs() == null ? List.<String>of() : container.getArgs()) {
                args.add(PodFiles.map(ContainerEnvironment.expand(arg, env), mounts));
            }
            Optional<Function<ContainerLaunch, LocalCommand>> image = kubelet.images().find(container.getImage());
            if (image.isEmpty()) {
                state = waiting("ErrImageNeverPull", "the process kubelet has no local command for image " + container.getImage());
                nextStart = now.plusSeconds(5);
                return;
            }
            LocalCommand command = image.get().apply(new ContainerLaunch(pod, container, podIP, env, args,
                    memoryLimit(container), files.directory()));
            // Empty at each start, and there before the process is, as a kubelet mounts it: a program may write
            // its last words there only if the file exists (the runtime does, never creating it elsewhere).
            Files.deleteIfExists(files.terminationMessage(container));
            Files.createFile(files.terminationMessage(container));
            Path home = files.directory().resolve("home");
            Files.createDirectories(home);
            ProcessBuilder builder = new ProcessBuilder(command.command())
                    .directory(container.getWorkingDir() == null ? home.toFile()
                            : Path.of(PodFiles.map(container.getWorkingDir(), mounts)).toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log(container).toFile()));
            // A container sees only its image's and its own environment, never the node's.
            builder.environment().clear();
            builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            builder.environment().put("HOME", home.toString());
            // The image's ENV names paths inside the container as the container's own variables do.
            command.imageEnv().forEach((k, v) -> builder.environment().put(k, PodFiles.map(v, mounts)));
            builder.environment().putAll(command.hostEnv());
            builder.environment().putAll(env);
            process = builder.start();
            kubelet.track(process);
            processStarted = now;
            killReason = null;
            phase = "Running";
            started = container.getStartupProbe() == null;
            startup = container.getStartupProbe() == null ? null : new Probes(container.getStartupProbe(), container, podIP, now);
            readiness = container.getReadinessProbe() == null ? null : new Probes(container.getReadinessProbe(), container, podIP, now);
            liveness = container.getLivenessProbe() == null ? null : new Probes(container.getLivenessProbe(), container, podIP, now);
            state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(now)).endRunning().build();
            LOG.info("event=kubelet_container_started pod={}/{} pod_ip={} pid={} command={}", namespace, name, podIP,
                    process.pid(), command.command().get(command.command().size() - 1));
        } catch (ContainerConfigException | UnsupportedOperationException e) {
            state = waiting("CreateContainerConfigError", e.getMessage());
            nextStart = now.plusSeconds(2);
        } catch (IOException e) {
            state = waiting("RunContainerError", e.getMessage());
            nextStart = now.plusSeconds(2);
        }
    }

    private void probe(Instant now) {
        Container container = container();
        if (!started) {
            startup.tick(now);
            if (Boolean.TRUE.equals(startup.passing())) {
                started = true;
                // Liveness and readiness start counting once the startup probe passed.
                readiness = container.getReadinessProbe() == null ? null : new Probes(container.getReadinessProbe(), container, podIP, now);
                liveness = container.getLivenessProbe() == null ? null : new Probes(container.getLivenessProbe(), container, podIP, now);
            } else if (Boolean.FALSE.equals(startup.passing())) {
                kill(now, "Container " + container.getName() + " failed startup probe, will be restarted: " + startup.lastFailure());
            }
            return;
        }
        if (readiness != null) {
            readiness.tick(now);
        }
        if (liveness != null) {
            liveness.tick(now);
            if (Boolean.FALSE.equals(liveness.passing())) {
                kill(now, "Container " + container.getName() + " failed liveness probe, will be restarted: " + liveness.lastFailure());
            }
        }
    }

    private boolean ready() {
        return process != null && process.isAlive() && started && (readiness == null || Boolean.TRUE.equals(readiness.passing()));
    }

    private void kill(Instant now, String reason) {
        LOG.info("event=kubelet_container_killed pod={}/{} reason=\"{}\"", namespace, name, reason);
        Process running = process;
        terminate(gracePeriod(), reason);
        if (process == running) {
            exited(Instant.now(), running.exitValue(), reason);
        }
    }

    /** SIGTERM, then SIGKILL (to the process and anything it started) once the grace period is over. */
    private void terminate(long graceSeconds, String reason) {
        if (process == null || !process.isAlive()) {
            return;
        }
        killReason = reason;
        process.destroy();
        try {
            if (!process.waitFor(Math.max(graceSeconds, 0), java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.info("event=kubelet_sigkill pod={}/{} grace_seconds={}", namespace, name, graceSeconds);
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (stopRequested) {
            exited(Instant.now(), process.exitValue(), null);
        }
    }

    private void exited(Instant now, int exitCode, String killedBecause) {
        Container container = container();
        String message = terminationMessage(container, exitCode);
        if (killedBecause != null && message == null) {
            message = killedBecause;
        }
        ContainerState terminated = new ContainerStateBuilder().withNewTerminated()
                .withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error")
                .withMessage(message)
                .withStartedAt(time(processStarted))
                .withFinishedAt(time(now))
                .withContainerID("process://" + process.pid())
                .endTerminated().build();
        LOG.info("event=kubelet_container_exited pod={}/{} exit_code={}", namespace, name, exitCode);
        Duration ran = Duration.between(processStarted, now);
        kubelet.untrack(process);
        process = null;
        started = false;
        readiness = null;
        liveness = null;
        startup = null;
        if (stopRequested) {
            state = terminated;
            return;
        }
        String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
        boolean restart = "Always".equals(policy) || ("OnFailure".equals(policy) && exitCode != 0);
        if (!restart) {
            state = terminated;
            phase = exitCode == 0 ? "Succeeded" : "Failed";
            return;
        }
        lastState = terminated;
        restartCount++;
        crashes = ran.compareTo(BACKOFF_RESET) >= 0 ? 1 : crashes + 1;
        // The kubelet restarts at once after the first exit, then backs off 10 s, 20 s, 40 s … up to 5 minutes.
        Duration backoff = crashes <= 1 ? Duration.ZERO
                : BASE_BACKOFF.multipliedBy(1L << Math.min(crashes - 2, 10));
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
            backoff = MAX_BACKOFF;
        }
        nextStart = now.plus(backoff);
        state = backoff.isZero() ? waiting("ContainerCreating", null)
                : waiting("CrashLoopBackOff", "back-off " + backoff.toSeconds() + "s restarting failed container="
                        + container.getName() + " pod=" + name + "_" + namespace + "(" + uid + ")");
    }

    /** The file at terminationMessagePath, or with FallbackToLogsOnError and a failure the log's tail. */
    private String terminationMessage(Container container, int exitCode) {
        try {
            Path file = files.terminationMessage(container);
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                return truncate(Files.readString(file, StandardCharsets.UTF_8));
            }
            if (exitCode != 0 && "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())) {
                List<String> lines = Files.readAllLines(files.log(container), StandardCharsets.UTF_8);
                String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
                return tail.length() > 2048 ? tail.substring(tail.length() - 2048) : tail;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("event=kubelet_termination_message_unreadable pod={}/{} reason={}", namespace, name, e.getMessage());
        }
        return null;
    }

    private static String truncate(String message) {
        return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    }

    private static Optional<Long> memoryLimit(Container container) {
        if (container.getResources() == null || container.getResources().getLimits() == null) {
            return Optional.empty();
        }
        Quantity memory = container.getResources().getLimits().get("memory");
        return memory == null ? Optional.empty() : Optional.of(memory.getNumericalAmount().longValue());
    }

    private void publish() {
        Container container = container();
        boolean ready = ready();
        List<PodCondition> conditions = List.of(
                condition("PodScheduled", true, null),
                condition("Initialized", true, null),
                condition("ContainersReady", ready, ready ? null : "ContainersNotReady"),
                condition("Ready", ready, ready ? null : "ContainersNotReady"));
        ContainerStatus status = new ContainerStatusBuilder()
                .withName(container.getName())
                .withImage(container.getImage())
                .withImageID(container.getImage())
                .withContainerID(process == null ? null : "process://" + process.pid())
                .withReady(ready)
                .withStarted(process != null && started)
                .withRestartCount(restartCount)
                .withState(state)
                .withLastState(lastState == null ? new ContainerState() : lastState)
                .build();
        PodStatus podStatus = new PodStatusBuilder()
                .withPhase(phase)
                .withHostIP(ProcessKubelet.HOST_IP)
                .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(ProcessKubelet.HOST_IP).build())
                .withPodIP(podIP)
                .withPodIPs(new PodIPBuilder().withIp(podIP).build())
                .withStartTime(time(startTime))
                .withQosClass("Burstable")
                .withConditions(conditions)
                .withContainerStatuses(status)
                .build();
        String json = Serialization.asJson(podStatus);
        if (json.equals(lastPublished)) {
            return;
        }
        try {
            kubelet.client().pods().inNamespace(namespace).withName(name).editStatus(p -> {
                p.setStatus(podStatus);
                return p;
            });
            lastPublished = json;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.debug("event=kubelet_status_write_failed pod={}/{} reason={}", namespace, name, e.getMessage());
            }
        }
    }

    private PodCondition condition(String type, boolean status, String reason) {
        String value = status ? "True" : "False";
        String[] last = transitions.get(type);
        if (last == null || !last[0].equals(value)) {
            last = new String[] {value, time(Instant.now())};
            transitions.put(type, last);
        }
        return new PodConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withLastTransitionTime(last[1]).build();
    }

    private static ContainerState waiting(String reason, String message) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
