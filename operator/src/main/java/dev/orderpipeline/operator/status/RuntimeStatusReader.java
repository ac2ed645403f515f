package dev.orderpipeline.operator.status;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code /status} of the running runtime pods of a resource (pod IP and the runtime's HTTP port) with
 * short timeouts, and sums what they report. Not only the ready ones: a loader whose warehouse writes fail
 * reports itself not ready, and its {@code /status} is exactly where it says why.
 *
 * <p>No churn: a resource's pods are read at most once per {@code interval}; reconciles in between reuse
 * the last reading, so they build the same status and write nothing. A busy pipeline therefore causes at
 * most one status write per interval from its counters. {@code freshnessSeconds} is the runtime's
 * {@code lastFreshnessMillis} (the age of the newest record of the last batch at its commit), rounded up to
 * whole seconds: unlike {@code now - lastCommitTime} it does not grow by itself between two readings, so an
 * idle pipeline's status stays put. A loader that stopped committing shows as an old lastCommitTime.
 *
 * <p>Bounded work: a resource's pods are asked at once, not one after the other, and the whole reading
 * waits at most {@code timeout} (so ten unresponsive pods cost one timeout, not ten). At most
 * {@value #MAX_IN_FLIGHT} requests are open at a time per reader, whatever the number of reconciles
 * running (200 pipelines starting together do not open 200 connections), and the HTTP client's work runs on
 * {@value #HTTP_THREADS} threads of its own rather than an unbounded pool. Connecting may take at most
 * {@value #MAX_CONNECT_MILLIS} ms: a pod that does not accept a connection at once is gone or not up.
 */
public final class RuntimeStatusReader<S, R> {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeStatusReader.class);
    static final int MAX_IN_FLIGHT = 32;
    static final int HTTP_THREADS = 2;
    static final long MAX_CONNECT_MILLIS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The fields of a loader's {@code /status} (pipeline-runtime's LoaderStatus.Snapshot) read here. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LoaderSnapshot(Long recordsLoaded, String lastCommitTime, Long lastFreshnessMillis, String lastError,
                                 String sinkStalledSince, String retryingSince, String deadLetterUnavailableSince,
                                 List<Integer> outOfRangePartitions, Long offsetResets, JsonNode lastOffsetReset,
                                 String schemaRegistryUnavailableSince, Map<Integer, Long> committedOffsets) {
        /**
         * Partitions this loader positioned from offsets stored with the warehouse before it committed anything
         * itself: its committed offsets then came from the ORDERPIPELINE_OFFSETS row, not from its own work.
         */
        int partitionsResumedFromStoredOffsets() {
            boolean committedNothing = lastCommitTime == null && (recordsLoaded == null || recordsLoaded == 0);
            return committedNothing && committedOffsets != null ? committedOffsets.size() : 0;
        }
    }

    /** The fields of a replicator's {@code /status} (pipeline-runtime's CdcStatus.Snapshot) read here. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ReplicatorSnapshot(Long rowsUpserted, Long rowsDeleted, String lastSyncTime, Long lagSeconds,
                                     String watermark, String lastError, Cost cost, String resumedFrom) {
        /** The fields of the replicator's {@code cost} (pipeline-runtime's CdcCost) read here. */
        @JsonIgnoreProperties(ignoreUnknown = true)
        public record Cost(Long readsRun, Long readsSkipped, Double estimatedWarehouseSeconds) {
        }
    }

    /** One pod's {@code /status}, with the pod's uid (a restarted or replaced pod counts from zero again). */
    public record PodSnapshot<S>(String podUid, S snapshot) {
    }

    /**
     * A reading of a resource's pods: what the running ones reported, and what keeps the others from running.
     */
    public record Observation<R>(R reading, Optional<WorkloadTrouble> trouble) {
    }

    private record Cached<R>(Instant at, Observation<R> observation) {
    }

    private final Class<S> snapshotType;
    private final Function<List<PodSnapshot<S>>, R> aggregate;

    private final Clock clock;
    private final int port;
    private final Duration interval;
    private final Duration timeout;
    private final HttpClient http;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Map<ResourceID, Cached<R>> cache = new ConcurrentHashMap<>();

    /**
     * @param aggregate turns the snapshots of the ready pods that answered into one reading; called with an
     *                  empty list when none did
     */
    public RuntimeStatusReader(Class<S> snapshotType, Function<List<PodSnapshot<S>>, R> aggregate, Clock clock, int port,
                               Duration interval, Duration timeout) {
        this.snapshotType = snapshotType;
        this.aggregate = aggregate;
        this.clock = clock;
        this.port = port;
        this.interval = interval;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout.compareTo(Duration.ofMillis(MAX_CONNECT_MILLIS)) < 0 ? timeout
                        : Duration.ofMillis(MAX_CONNECT_MILLIS))
                .executor(httpThreads())
                .build();
    }

    /** {@value #HTTP_THREADS} daemon threads, gone when idle (a reader lives as long as its reconciler). */
    private static ThreadPoolExecutor httpThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(HTTP_THREADS, HTTP_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "runtime-status-http");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * The reading of the pods matching {@code selector} in {@code namespace}, taken now if the previous one
     * is older than the interval.
     */
    public Observation<R> read(ResourceID id, KubernetesClient client, String namespace, Map<String, String> selector) {
        Instant now = clock.instant();
        Cached<R> cached = cache.get(id);
        if (cached != null && cached.at().plus(interval).isAfter(now)) {
            return cached.observation();
        }
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems();
        Observation<R> observation = new Observation<>(aggregate.apply(readRunning(pods, namespace)),
                WorkloadTrouble.ofPods(pods));
        cache.put(id, new Cached<>(now, observation));
        return observation;
    }

    private List<PodSnapshot<S>> readRunning(List<Pod> pods, String namespace) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Pod, CompletableFuture<S>> calls = new LinkedHashMap<>();
        try {
            for (Pod pod : pods) {
                if (!isRunning(pod)) {
                    continue;
                }
                if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.debug("event=runtime_status_skipped namespace={} pod={} reason=busy", namespace,
                            pod.getMetadata().getName());
                    continue;
                }
                calls.put(pod, fetch(pod.getStatus().getPodIP()).whenComplete((snapshot, e) -> inFlight.release()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<PodSnapshot<S>> snapshots = new ArrayList<>();
        for (Map.Entry<Pod, CompletableFuture<S>> call : calls.entrySet()) {
            Pod pod = call.getKey();
            try {
                snapshots.add(new PodSnapshot<>(pod.getMetadata().getUid(),
                        call.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                call.getValue().cancel(true);
                LOG.debug("event=runtime_status_unreadable namespace={} pod={} error=\"{}\"", namespace,
                        pod.getMetadata().getName(), e instanceof ExecutionException ? e.getCause().toString() : e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return snapshots;
    }

    /**
     * Loaders: records summed, the newest commit, the worst freshness rounded up to whole seconds, the
     * oldest stalled commit, the longest run of failed writes, the longest wait on the Schema Registry, the held
     * partitions of every pod. A pod waiting on its registry retries for that reason (its lastError is the
     * registry's), so its retry is not counted as a failing warehouse write.
     */
    public static RuntimeReading loaders(List<PodSnapshot<LoaderSnapshot>> pods) {
        if (pods.isEmpty()) {
            return RuntimeReading.NONE;
        }
        Map<String, Long> loadedByPod = new java.util.TreeMap<>();
        String lastError = null;
        long loaded = 0;
        Instant lastCommit = null;
        Long freshnessMillis = null;
        Instant stalledSince = null;
        RuntimeReading.Failing failing = null;
        RuntimeReading.Failing registry = null;
        Instant deadLetterUnavailable = null;
        TreeSet<Integer> held = new TreeSet<>();
        long resets = 0;
        String lastReset = null;
        int resumed = 0;
        for (PodSnapshot<LoaderSnapshot> pod : pods) {
            LoaderSnapshot s = pod.snapshot();
            resumed += s.partitionsResumedFromStoredOffsets();
            loadedByPod.put(pod.podUid(), s.recordsLoaded() == null ? 0L : s.recordsLoaded());
            lastError = s.lastError() != null ? s.lastError() : lastError;
            if (s.schemaRegistryUnavailableSince() != null) {
                if (registry == null || Instant.parse(s.schemaRegistryUnavailableSince())
                        .isBefore(Instant.parse(registry.since()))) {
                    registry = new RuntimeReading.Failing(s.schemaRegistryUnavailableSince(), s.lastError());
                }
            } else if (s.retryingSince() != null
                    && (failing == null || Instant.parse(s.retryingSince()).isBefore(Instant.parse(failing.since())))) {
                failing = new RuntimeReading.Failing(s.retryingSince(), s.lastError());
            }
            if (s.deadLetterUnavailableSince() != null) {
                deadLetterUnavailable = earliest(deadLetterUnavailable, Instant.parse(s.deadLetterUnavailableSince()));
            }
            if (s.outOfRangePartitions() != null) {
                held.addAll(s.outOfRangePartitions());
            }
            resets += s.offsetResets() == null ? 0 : s.offsetResets();
            if (s.lastOffsetReset() != null && !s.lastOffsetReset().isNull()) {
                lastReset = s.lastOffsetReset().toString();
            }
            loaded += s.recordsLoaded() == null ? 0 : s.recordsLoaded();
            if (s.lastCommitTime() != null) {
                Instant commit = Instant.parse(s.lastCommitTime());
                lastCommit = lastCommit == null || commit.isAfter(lastCommit) ? commit : lastCommit;
            }
            if (s.lastFreshnessMillis() != null) {
                freshnessMillis = freshnessMillis == null ? s.lastFreshnessMillis()
                        : Math.max(freshnessMillis, s.lastFreshnessMillis());
            }
            if (s.sinkStalledSince() != null) {
                stalledSince = earliest(stalledSince, Instant.parse(s.sinkStalledSince()));
            }
        }
        return new RuntimeReading(pods.size(), loaded, loadedByPod, lastError, lastCommit == null ? null : lastCommit.toString(),
                freshnessMillis == null ? null : (freshnessMillis + 999) / 1000,
                stalledSince == null ? null : stalledSince.toString(), failing,
                deadLetterUnavailable == null ? null : deadLetterUnavailable.toString(), registry,
                new RuntimeReading.OutOfRange(List.copyOf(held), resets, lastReset), resumed);
    }

    private static Instant earliest(Instant known, Instant candidate) {
        return known == null || candidate.isBefore(known) ? candidate : known;
    }

    /** The replicator: one pod (Recreate), so its snapshot as is; empty when it did not answer. */
    public static Optional<ReplicatorSnapshot> replicator(List<PodSnapshot<ReplicatorSnapshot>> pods) {
        return pods.stream().findFirst().map(PodSnapshot::snapshot);
    }

    private CompletableFuture<S> fetch(String ip) {
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/status"))
                .timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new CompletionException(new IOException("HTTP " + response.statusCode()));
            }
            try {
                return JSON.readValue(response.body(), snapshotType);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
    }

    private static boolean isRunning(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getPodIP() != null
                && "Running".equals(pod.getStatus().getPhase())
                && pod.getMetadata().getDeletionTimestamp() == null;
    }

    public void forget(ResourceID id) {
        cache.remove(id);
    }
}
