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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Reads partitions and consumer lag of each pipeline's source topic with Kafka's Admin client. One
 * client per pipeline, built on first use, rebuilt when the connection settings or credentials change,
 * and closed when the pipeline is deleted ({@link #forget}) or the operator stops ({@link #close}).
 *
 * <p>A reading is reused for {@code pollInterval}: reconciles triggered by other events in between do
 * not call Kafka again, so a flood of events costs no broker round trips and a busy topic's lag causes at
 * most one status write per interval.
 */
public final class SourceProbes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceProbes.class);

    private final Clock clock;
    private final Duration pollInterval;
    private final Duration timeout;
    private final Map<ResourceID, Probe> probes = new ConcurrentHashMap<>();

    public SourceProbes(Clock clock, Duration pollInterval, Duration timeout) {
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.timeout = timeout;
    }

    private static final class Probe {
        String fingerprint;
        Admin admin;
        SourceReading last;
        String lastKey;
    }

    /** The latest reading for this pipeline, taken now if the previous one is older than the poll interval. */
    public SourceReading read(OrderPipeline pipeline, KubernetesClient client) {
        ResourceID id = ResourceID.fromResource(pipeline);
        SourceSpec source = pipeline.getSpec().source();
        String group = pipeline.consumerGroup();
        String key = source.topic() + '\n' + group + '\n' + source.startPosition() + '\n' + source.bootstrapServers()
                + '\n' + source.security();
        Probe probe = probes.computeIfAbsent(id, k -> new Probe());
        synchronized (probe) {
            Instant now = clock.instant();
            if (probe.last != null && key.equals(probe.lastKey)
                    && probe.last.readAt().plus(pollInterval).isAfter(now)) {
                return probe.last;
            }
            probe.last = readNow(pipeline, probe, client, group, now);
            probe.lastKey = key;
            return probe.last;
        }
    }

    private SourceReading readNow(OrderPipeline pipeline, Probe probe, KubernetesClient client, String group,
                                  Instant now) {
        SourceSpec source = pipeline.getSpec().source();
        Optional<KafkaConnection> connection = connection(pipeline, client);
        if (connection.isEmpty()) {
            closeClient(probe);
            return SourceReading.failed(SourceReading.CREDENTIALS_UNAVAILABLE,
                    "The Kafka credentials named in spec.source.security could not be read from their Secret: "
                            + "check that the Secret and its keys exist.", now);
        }
        try {
            Admin admin = admin(pipeline, probe, connection.get());
            return lag(admin, source, group, now);
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

    private SourceReading lag(Admin admin, SourceSpec source, String group, Instant now) throws TimeoutException {
        int ms = (int) timeout.toMillis();
        TopicDescription topic = await(admin.describeTopics(List.of(source.topic()),
                new DescribeTopicsOptions().timeoutMs(ms)).allTopicNames()).get(source.topic());
        List<TopicPartition> partitions = new ArrayList<>();
        topic.partitions().forEach(p -> partitions.add(new TopicPartition(source.topic(), p.partition())));
        Map<TopicPartition, OffsetAndMetadata> committed = await(admin.listConsumerGroupOffsets(group,
                new ListConsumerGroupOffsetsOptions().timeoutMs(ms)).partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest(), ms);
        boolean fromLatest = source.startPosition() == SourceSpec.StartPosition.LATEST;
        List<TopicPartition> uncommitted = partitions.stream()
                .filter(tp -> committed.get(tp) == null).toList();
        // A partition the group never committed starts where the loader would: at the log start (earliest) or
        // at the end (latest, so no lag).
        Map<TopicPartition, Long> starts = uncommitted.isEmpty() || fromLatest
                ? Map.of() : offsets(admin, uncommitted, OffsetSpec.earliest(), ms);
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

    private Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec, int ms)
            throws TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                await(admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(ms)).all());
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /** Waits a little longer than the call's own timeout, and unwraps Kafka's exception. */
    private <T> T await(org.apache.kafka.common.KafkaFuture<T> future) throws TimeoutException {
        try {
            return future.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
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

    private Admin admin(OrderPipeline pipeline, Probe probe, KafkaConnection connection) {
        String fingerprint = connection.fingerprint();
        if (probe.admin != null && fingerprint.equals(probe.fingerprint)) {
            return probe.admin;
        }
        closeClient(probe);
        probe.admin = Admin.create(connection.adminProperties(
                "orderpipeline-operator-" + pipeline.pipelineName(), timeout));
        probe.fingerprint = fingerprint;
        return probe.admin;
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

    /** Number of Kafka clients currently open; for tests and metrics. */
    public int openClients() {
        return (int) probes.values().stream().filter(p -> p.admin != null).count();
    }

    /** Closes the pipeline's client and drops its reading; called when the pipeline is deleted. */
    public void forget(ResourceID id) {
        Probe probe = probes.remove(id);
        if (probe != null) {
            synchronized (probe) {
                closeClient(probe);
            }
        }
    }

    private void closeClient(Probe probe) {
        if (probe.admin != null) {
            probe.admin.close(Duration.ofSeconds(1));
            probe.admin = null;
            probe.fingerprint = null;
        }
    }

    @Override
    public void close() {
        List.copyOf(probes.keySet()).forEach(this::forget);
    }
}
