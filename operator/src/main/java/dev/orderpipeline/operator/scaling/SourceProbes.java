package dev.orderpipeline.operator.scaling;

import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SourceSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads partitions and consumer lag of each pipeline's source topic with Kafka's Admin client. The clients
 * are shared ({@link KafkaAdminPool}): pipelines that reach the same cluster with the same settings and
 * credentials use one client; a pipeline whose connection or credentials change moves to another, and a
 * client is closed when its last pipeline is deleted ({@link #forget}) or moves away.
 *
 * <p>A reading is reused for {@code pollInterval}: reconciles triggered by other events in between do
 * not call Kafka again, so a flood of events costs no broker round trips and a busy topic's lag causes at
 * most one status write per interval.
 *
 * <p>Bounded work on a reconcile thread: one reading takes at most the Kafka timeout (one budget for all
 * its calls, not one per call); and when a client's cluster did not answer within it, the other pipelines on
 * that client are told "unreachable" at once for the next {@code pollInterval} instead of each waiting out the
 * timeout again, so a dead cluster does not hold every JOSDK worker thread.
 */
public final class SourceProbes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceProbes.class);

    private final Clock clock;
    private final Duration pollInterval;
    private final Duration timeout;
    private final KafkaAdminPool clients;
    private final Map<ResourceID, Probe> probes = new ConcurrentHashMap<>();

    public SourceProbes(Clock clock, Duration pollInterval, Duration timeout) {
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.timeout = timeout;
        this.clients = new KafkaAdminPool(timeout);
    }

    /** How many deleted pipelines' uids {@link #forget} remembers. */
    static final int DELETED_REMEMBERED = 4096;
    private final Set<String> deleted = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > DELETED_REMEMBERED;
        }
    }));

    private static final class Probe {
        SourceReading last;
        String lastKey;
        boolean forgotten;
    }

    /**
     * The latest reading for this pipeline, taken now if the previous one is older than the poll interval.
     *
     * @param secretVersions the resourceVersion of each Secret the pipeline references, by name (read by the
     *                       reconciler's reference check): they tell a rotated credential without reading it
     */
    public SourceReading read(OrderPipeline pipeline, KubernetesClient client, Map<String, String> secretVersions) {
        ResourceID id = ResourceID.fromResource(pipeline);
        SourceSpec source = pipeline.getSpec().source();
        String namespace = pipeline.getMetadata().getNamespace();
        String group = pipeline.consumerGroup();
        ConnectionKey connection = ConnectionKey.of(source.bootstrapServers(), source.security(), namespace,
                name -> Optional.ofNullable(secretVersions.get(name)).orElseGet(() -> secretVersion(client, namespace, name)));
        String key = source.topic() + '\n' + group + '\n' + source.startPosition() + '\n' + connection;
        Probe probe = probes.computeIfAbsent(id, k -> new Probe());
        synchronized (probe) {
            Instant now = clock.instant();
            if (probe.forgotten || deleted.contains(pipeline.getMetadata().getUid())) {
                // Deleted while this reconcile ran, or before it (a reconcile of the object as it was): take no
                // client that nobody would let go of.
                probes.remove(id, probe);
                return unreachable(source, now);
            }
            if (probe.last != null && key.equals(probe.lastKey)
                    && probe.last.readAt().plus(pollInterval).isAfter(now)) {
                return probe.last;
            }
            probe.last = readNow(pipeline, id, connection, client, group, now);
            probe.lastKey = key;
            return probe.last;
        }
    }

    private SourceReading readNow(OrderPipeline pipeline, ResourceID id, ConnectionKey key, KubernetesClient client,
                                  String group, Instant now) {
        SourceSpec source = pipeline.getSpec().source();
        Optional<KafkaAdminPool.SharedAdmin> shared;
        try {
            shared = clients.acquire(id, key, () -> connection(pipeline, client));
        } catch (KafkaException e) {
            // Admin.create refuses bootstrap servers that resolve to no address at all.
            LOG.debug("event=kafka_client_refused namespace={} name={} bootstrap={} error=\"{}\"",
                    pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), source.bootstrapServers(),
                    e.toString());
            clients.release(id);
            return unreachable(source, now);
        }
        if (shared.isEmpty()) {
            return SourceReading.failed(SourceReading.CREDENTIALS_UNAVAILABLE,
                    "The Kafka credentials named in spec.source.security could not be read from their Secret: "
                            + "check that the Secret and its keys exist.", now);
        }
        if (shared.get().knownUnreachable(now)) {
            return unreachable(source, now);
        }
        Deadline deadline = new Deadline(timeout);
        try {
            SourceReading reading = lag(shared.get().admin(), source, group, now, deadline);
            shared.get().reachable();
            return reading;
        } catch (ClusterUnreachable e) {
            // Nothing answered at all (not even the topic's metadata): the cluster, not this topic, is the problem.
            shared.get().unreachableUntil(now.plus(pollInterval));
            LOG.debug("event=kafka_unreachable namespace={} name={} bootstrap={} client_id={} error=\"{}\"",
                    pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), source.bootstrapServers(),
                    shared.get().clientId(), e.getCause().toString());
            return unreachable(source, now);
        } catch (UnknownTopicOrPartitionException e) {
            return SourceReading.failed(SourceReading.TOPIC_NOT_FOUND, "Topic '" + source.topic()
                    + "' does not exist on " + source.bootstrapServers()
                    + ": create it or correct spec.source.topic.", now);
        } catch (AuthenticationException e) {
            return SourceReading.failed(SourceReading.AUTHENTICATION_FAILED, "Kafka at " + source.bootstrapServers()
                    + " refused the credentials of spec.source.security: check the API key and secret in the "
                    + "referenced Secret and spec.source.security.saslMechanism.", now);
        } catch (AuthorizationException e) {
            return SourceReading.failed(SourceReading.NOT_AUTHORIZED, "The credentials of spec.source.security may "
                    + "not describe topic '" + source.topic() + "' or consumer group '" + group
                    + "': grant DESCRIBE on both (READ on the group for offsets).", now);
        } catch (TimeoutException | KafkaException e) {
            LOG.debug("event=kafka_unreachable namespace={} name={} bootstrap={} error=\"{}\"",
                    pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), source.bootstrapServers(),
                    e.toString());
            return unreachable(source, now);
        }
    }

    private SourceReading unreachable(SourceSpec source, Instant now) {
        return SourceReading.failed(SourceReading.UNREACHABLE, "Kafka could not be reached at spec.source.bootstrapServers ("
                + source.bootstrapServers() + ") within " + timeout.toMillis() + " ms: check the addresses, "
                + "spec.source.security.protocol, and that the network lets the operator reach the brokers.", now);
    }

    /** The first call of a reading failed for want of any answer: the cluster is unreachable. */
    private static final class ClusterUnreachable extends Exception {
        ClusterUnreachable(Exception cause) {
            super(cause);
        }
    }

    /** One time budget for all the calls of a reading. */
    private record Deadline(long startNanos, Duration budget) {
        Deadline(Duration budget) {
            this(System.nanoTime(), budget);
        }

        int remainingMs() throws TimeoutException {
            long left = budget.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            if (left <= 0) {
                throw new TimeoutException("the reading's budget of " + budget.toMillis() + " ms is spent");
            }
            return (int) left;
        }
    }

    private SourceReading lag(Admin admin, SourceSpec source, String group, Instant now, Deadline deadline)
            throws TimeoutException, ClusterUnreachable {
        TopicDescription topic;
        try {
            int ms = deadline.remainingMs();
            topic = await(admin.describeTopics(List.of(source.topic()),
                    new DescribeTopicsOptions().timeoutMs(ms)).allTopicNames(), ms).get(source.topic());
        } catch (TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
            throw new ClusterUnreachable(e);
        }
        List<TopicPartition> partitions = new ArrayList<>();
        topic.partitions().forEach(p -> partitions.add(new TopicPartition(source.topic(), p.partition())));
        int ms = deadline.remainingMs();
        Map<TopicPartition, OffsetAndMetadata> committed = await(admin.listConsumerGroupOffsets(group,
                new ListConsumerGroupOffsetsOptions().timeoutMs(ms)).partitionsToOffsetAndMetadata(), ms);
        Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest(), deadline);
        boolean fromLatest = source.startPosition() == SourceSpec.StartPosition.LATEST;
        List<TopicPartition> uncommitted = partitions.stream()
                .filter(tp -> committed.get(tp) == null).toList();
        // A partition the group never committed starts where the loader would: at the log start (earliest) or
        // at the end (latest, so no lag).
        Map<TopicPartition, Long> starts = uncommitted.isEmpty() || fromLatest
                ? Map.of() : offsets(admin, uncommitted, OffsetSpec.earliest(), deadline);
        long lag = 0;
        for (TopicPartition tp : partitions) {
            long end = ends.getOrDefault(tp, 0L);
            OffsetAndMetadata c = committed.get(tp);
            long position = c != null ? c.offset() : fromLatest ? end : starts.getOrDefault(tp, 0L);
            lag += Math.max(0, end - position);
        }
        int committedPartitions = (int) partitions.stream().filter(tp -> committed.get(tp) != null).count();
        return SourceReading.of(partitions.size(), lag, committedPartitions, source.topic(), now);
    }

    private Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec,
                                              Deadline deadline) throws TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        int ms = deadline.remainingMs();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                await(admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(ms)).all(), ms);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /** Waits a little longer than the call's own timeout, and unwraps Kafka's exception. */
    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future, int ms) throws TimeoutException {
        try {
            return future.get(ms + 500L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KafkaException kafka) {
                throw kafka;
            }
            throw new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted", e);
        }
    }

    /** The connection of a pipeline, with its credentials read from the Secret; empty if a key is missing. */
    static Optional<KafkaConnection> connection(OrderPipeline pipeline, KubernetesClient client) {
        SourceSpec source = pipeline.getSpec().source();
        KafkaSecuritySpec security = source.security();
        if (security == null || security.protocol() == null || !security.protocol().usesSasl()) {
            return Optional.of(new KafkaConnection(source.bootstrapServers(),
                    security == null ? null : security.protocol(), null, null, null));
        }
        String namespace = pipeline.getMetadata().getNamespace();
        Optional<String> username = secretValue(client, namespace, security.username());
        Optional<String> password = secretValue(client, namespace, security.password());
        if (username.isEmpty() || password.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new KafkaConnection(source.bootstrapServers(), security.protocol(), security.saslMechanism(),
                username.get(), password.get()));
    }

    static Optional<String> secretValue(KubernetesClient client, String namespace, SecretKeyReference ref) {
        if (ref == null) {
            return Optional.empty();
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.name()).get();
        if (secret == null) {
            return Optional.empty();
        }
        if (secret.getData() != null && secret.getData().containsKey(ref.key())) {
            return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(ref.key())),
                    StandardCharsets.UTF_8));
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(ref.key())) {
            return Optional.of(secret.getStringData().get(ref.key()));
        }
        return Optional.empty();
    }

    /** The resourceVersion of a Secret the reference check did not report (it reports every one it read). */
    private static String secretVersion(KubernetesClient client, String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        return secret == null ? "absent" : secret.getMetadata().getResourceVersion();
    }

    /** Kafka clients open now, shared by all pipelines; for tests and metrics. */
    public int openClients() {
        return clients.openClients();
    }

    /** Kafka clients opened since start; for tests. */
    public long clientsOpened() {
        return clients.clientsOpened();
    }

    /**
     * Lets go of the pipeline's client (closed if no other pipeline uses it) and drops its reading. A reconcile of the
     * deleted object that starts afterwards takes no client: its uid is remembered ({@link #DELETED_REMEMBERED} of
     * them, a pipeline re-created under the same name has another).
     */
    public void forget(ResourceID id, String uid) {
        if (uid != null) {
            deleted.add(uid);
        }
        Probe probe = probes.remove(id);
        if (probe != null) {
            synchronized (probe) {
                probe.forgotten = true;
                clients.release(id);
            }
        } else {
            clients.release(id);
        }
    }

    @Override
    public void close() {
        probes.clear();
        clients.close();
    }
}
