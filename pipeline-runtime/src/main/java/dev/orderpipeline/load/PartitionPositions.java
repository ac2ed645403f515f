package dev.orderpipeline.load;

import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.config.LoaderConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each assigned partition reads from. A partition assigned (or fenced) is paused and its
 * stored offset asked of the committer thread; when the answer arrives the poll thread seeks there
 * and hands the partition back to be resumed. Also holds the compare side of each partition's
 * compare-and-set: the stored offset this loader expects. Poll thread only.
 */
final class PartitionPositions {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionPositions.class);

    /** One read of stored offsets, asked at {@code askedAt}. */
    private record Request(List<Integer> partitions, CompletableFuture<Map<Integer, Long>> answer, Instant askedAt) {
    }

    private final LoaderConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final WarehouseSession session;
    private final LoaderStatus status;
    /** The stored offset each positioned partition is expected to hold (-1: never committed). */
    private final Map<Integer, Long> expected = new HashMap<>();
    /** Partitions paused until their stored offset arrives, each with the request that will answer it. */
    private final Map<TopicPartition, Request> awaiting = new HashMap<>();
    private final List<Request> requests = new ArrayList<>();

    PartitionPositions(LoaderConfig config, Consumer<byte[], byte[]> consumer, WarehouseSession session, LoaderStatus status) {
        this.config = config;
        this.consumer = consumer;
        this.session = session;
        this.status = status;
    }

    /** Pauses the partitions and asks for their stored offsets; never waits on the warehouse. */
    void request(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        consumer.pause(partitions);
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).sorted().toList();
        Request request = new Request(numbers,
                session.storedOffsets(config.pipelineName(), config.source().topic(), numbers), Instant.now());
        requests.add(request);
        partitions.forEach(tp -> {
            awaiting.put(tp, request);
            expected.remove(tp.partition());
        });
    }

    /**
     * Seeks every partition whose stored offset has arrived; returns them (still paused) for the
     * caller to resume.
     */
    List<TopicPartition> applyAnswers() {
        List<TopicPartition> positioned = new ArrayList<>();
        for (Iterator<Request> it = requests.iterator(); it.hasNext(); ) {
            Request request = it.next();
            if (!request.answer().isDone()) {
                continue;
            }
            it.remove();
            if (request.answer().isCompletedExceptionally()) {
                continue; // only when the session closes: the loader is stopping
            }
            Map<Integer, Long> stored = request.answer().join();
            Map<Integer, Long> applied = new HashMap<>();
            List<TopicPartition> fresh = new ArrayList<>();
            for (int partition : request.partitions()) {
                TopicPartition tp = new TopicPartition(config.source().topic(), partition);
                if (awaiting.get(tp) != request) {
                    continue; // revoked meanwhile, or asked again since: a later answer decides
                }
                awaiting.remove(tp);
                long offset = stored.getOrDefault(partition, -1L);
                expected.put(partition, offset);
                applied.put(partition, offset);
                if (offset >= 0) {
                    consumer.seek(tp, offset);
                } else {
                    fresh.add(tp);
                }
                positioned.add(tp);
            }
            seekFresh(fresh);
            if (!applied.isEmpty()) {
                status.resumed(applied);
                LOG.info("partitions {} start from the warehouse's offsets {}", applied.keySet().stream().sorted().toList(), applied);
            }
        }
        return positioned;
    }

    /** Seeks every positioned partition back to its expected offset: what was read since is read again. */
    void rewind(Collection<TopicPartition> assigned) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : assigned) {
            if (awaiting.containsKey(tp)) {
                continue; // not read yet: positioned when its answer arrives
            }
            long offset = expected.getOrDefault(tp.partition(), -1L);
            if (offset >= 0) {
                consumer.seek(tp, offset);
            } else {
                fresh.add(tp);
            }
        }
        seekFresh(fresh);
    }

    /** Partitions the pipeline never committed start where the configuration says. */
    private void seekFresh(List<TopicPartition> fresh) {
        if (fresh.isEmpty()) {
            return;
        }
        if (config.source().startPosition() == KafkaSourceConfig.StartPosition.LATEST) {
            consumer.seekToEnd(fresh);
        } else {
            consumer.seekToBeginning(fresh);
        }
    }

    /** A committed batch moved these partitions' stored offsets. */
    void committed(Map<Integer, Long> nextOffsets) {
        expected.putAll(nextOffsets);
    }

    /** The stored offset of every positioned partition (-1: never committed), read-only. */
    Map<Integer, Long> expectedOffsets() {
        return java.util.Collections.unmodifiableMap(expected);
    }

    /** The stored offset a commit of this partition must find (-1: never committed). */
    long expected(int partition) {
        return expected.getOrDefault(partition, -1L);
    }

    void forget(Collection<Integer> partitions) {
        awaiting.keySet().removeIf(tp -> partitions.contains(tp.partition()));
        partitions.forEach(expected::remove);
    }

    boolean positioning() {
        return !awaiting.isEmpty();
    }

    Set<TopicPartition> awaiting() {
        return awaiting.keySet();
    }

    /** When the oldest read still awaited was asked. */
    Optional<Instant> waitingSince() {
        return awaiting.values().stream().map(Request::askedAt).min(Instant::compareTo);
    }

    List<Integer> awaitingPartitions() {
        return awaiting.keySet().stream().map(TopicPartition::partition).sorted().toList();
    }
}
