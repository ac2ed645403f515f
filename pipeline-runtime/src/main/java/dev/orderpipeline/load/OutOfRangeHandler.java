package dev.orderpipeline.load;

import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.config.KafkaSourceConfig.OffsetReset;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.metrics.LoaderMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition whose offset lies outside its log: below the log start (retention deleted records
 * before they were loaded, during an outage) or past its end (the topic was re-created). The
 * consumer never resets by itself ({@code auto.offset.reset=none}); this class applies
 * OPL_KAFKA_OFFSET_RESET to a partition the pipeline has stored offsets for, and
 * OPL_KAFKA_START_POSITION to one it never committed. Every case is loud: an ERROR naming the
 * partition, the offsets and the policy, a counter, and {@code /status}. With {@code fail} the
 * partition stays paused ("held") until it is reassigned, i.e. until the loader restarts with another
 * policy or someone moves the stored offset.
 */
final class OutOfRangeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OutOfRangeHandler.class);
    private static final Duration LIST_OFFSETS_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaSourceConfig source;
    private final Consumer<byte[], byte[]> consumer;
    private final LoaderStatus status;
    private final LoaderMetrics metrics;
    private final Set<TopicPartition> held = new HashSet<>();

    OutOfRangeHandler(KafkaSourceConfig source, Consumer<byte[], byte[]> consumer, LoaderStatus status, LoaderMetrics metrics) {
        this.source = source;
        this.consumer = consumer;
        this.status = status;
        this.metrics = metrics;
    }

    /**
     * poll() found partitions without a valid position.
     *
     * @param storedOffsets the warehouse's offset per assigned partition (-1: never committed)
     * @param unpositioned partitions waiting (paused) for their stored offset: given a placeholder position only
     */
    void handle(InvalidOffsetException e, Map<Integer, Long> storedOffsets, Set<TopicPartition> unpositioned) {
        if (e instanceof OffsetOutOfRangeException outOfRange) {
            outOfRange.offsetOutOfRangePartitions().forEach((tp, fetchOffset) -> {
                if (consumer.assignment().contains(tp)) {
                    apply(tp, fetchOffset, storedOffsets.getOrDefault(tp.partition(), -1L));
                }
            });
            return;
        }
        for (TopicPartition tp : e.partitions()) {
            if (!consumer.assignment().contains(tp)) {
                continue;
            }
            // No position at all: a partition assigned while a commit ran. It stays paused and is sought to its
            // stored offset once the warehouse is free; the consumer only needs some position meanwhile.
            if (unpositioned.contains(tp) || source.startPosition() == KafkaSourceConfig.StartPosition.EARLIEST) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seekToEnd(List.of(tp));
            }
        }
    }

    private void apply(TopicPartition tp, long fetchOffset, long stored) {
        boolean neverCommitted = stored < 0;
        OffsetReset policy = neverCommitted
                ? OffsetReset.valueOf(source.startPosition().name()) : source.offsetReset();
        String policyName = (neverCommitted ? Setting.KAFKA_START_POSITION : Setting.KAFKA_OFFSET_RESET).envName()
                + "=" + policy.name().toLowerCase(Locale.ROOT);
        long start = logOffset(tp, true);
        long end = logOffset(tp, false);
        String where = "partition " + tp.partition() + " of " + tp.topic() + ": offset " + fetchOffset
                + " (stored offset " + stored + ") is outside the log [" + start + ", " + end + ")"
                + (start >= 0 && fetchOffset < start ? ", records " + fetchOffset + ".." + (start - 1)
                        + " were deleted (retention) before they were loaded" : "")
                + (end >= 0 && fetchOffset > end ? ", past its end (was the topic re-created?)" : "");
        String action;
        String error = null;
        switch (policy) {
            case EARLIEST -> {
                consumer.seekToBeginning(List.of(tp));
                action = "seek to the log start " + start;
            }
            case LATEST -> {
                consumer.seekToEnd(List.of(tp));
                action = "seek to the log end " + end;
            }
            default -> {
                consumer.pause(List.of(tp));
                held.add(tp);
                status.paused(consumer.paused().stream().map(TopicPartition::partition).toList());
                metrics.pausedPartitions(consumer.paused().size());
                action = "held: not read";
                error = where + "; " + policyName + " keeps the partition from being read. To resume, set "
                        + Setting.KAFKA_OFFSET_RESET.envName() + "=earliest (load from the log start, the deleted records "
                        + "are lost) or latest (skip to the end) and restart the loader, or move NEXT_OFFSET of the "
                        + "partition in ORDERPIPELINE_OFFSETS";
            }
        }
        LOG.error("{}; {}: {}", where, policyName, action);
        metrics.offsetOutOfRange();
        metrics.partitionsOutOfRange(held.size());
        status.offsetOutOfRange(new LoaderStatus.OffsetReset(tp.partition(), fetchOffset, stored, start, end, policyName,
                action, Instant.now().toString()), heldPartitions(), error);
    }

    /** The log's start or end, -1 when the broker does not say within the timeout (the seek still applies). */
    private long logOffset(TopicPartition tp, boolean start) {
        try {
            Map<TopicPartition, Long> offsets = start
                    ? consumer.beginningOffsets(List.of(tp), LIST_OFFSETS_TIMEOUT)
                    : consumer.endOffsets(List.of(tp), LIST_OFFSETS_TIMEOUT);
            return offsets.getOrDefault(tp, -1L);
        } catch (RuntimeException e) {
            LOG.warn("cannot read the {} offset of {}: {}", start ? "start" : "end", tp, e.toString());
            return -1;
        }
    }

    /** Partitions held by the fail policy: never resumed while assigned. */
    Set<TopicPartition> held() {
        return held;
    }

    /** Partitions gone to another loader (or lost): whoever gets them next applies the policy again. */
    void forget(Collection<Integer> partitions) {
        if (held.removeIf(tp -> partitions.contains(tp.partition()))) {
            metrics.partitionsOutOfRange(held.size());
            status.outOfRange(heldPartitions());
        }
    }

    private List<Integer> heldPartitions() {
        return held.stream().map(TopicPartition::partition).toList();
    }
}
