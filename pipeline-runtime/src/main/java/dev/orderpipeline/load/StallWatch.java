package dev.orderpipeline.load;

import dev.orderpipeline.metrics.LoaderMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which partitions are paused, and why. When the loader must wait on the warehouse (the next batch
 * is due and the commit in flight has not returned, or it failed and is being retried) every
 * assigned partition is paused and polling goes on, so the group keeps this member and memory stays
 * at about two batches plus the consumer's fetch buffers. Poll thread only.
 */
final class StallWatch {
    private static final Logger LOG = LoggerFactory.getLogger(StallWatch.class);
    /** A stall is logged at WARN once the commit has run this long. */
    private static final Duration STALL_WARNING = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final LoaderStatus status;
    private final LoaderMetrics metrics;
    /** Partitions OPL_KAFKA_OFFSET_RESET=fail holds: never resumed while assigned. */
    private final Supplier<Set<TopicPartition>> held;
    private CommitJob stalledOn;
    private boolean warned;
    private long stalledSinceNanos;

    StallWatch(Consumer<byte[], byte[]> consumer, LoaderStatus status, LoaderMetrics metrics,
               Supplier<Set<TopicPartition>> held) {
        this.consumer = consumer;
        this.status = status;
        this.metrics = metrics;
        this.held = held;
    }

    /** Pauses every assigned partition (again after a rebalance) while {@code job} has not returned. */
    void hold(CommitJob job, long pendingRecords) {
        Set<TopicPartition> toPause = new HashSet<>(consumer.assignment());
        toPause.removeAll(consumer.paused());
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        notePaused();
        long now = System.nanoTime();
        if (stalledOn != job) {
            stalledOn = job;
            warned = false;
            stalledSinceNanos = now;
            LOG.debug("waiting on the commit in flight (failing: {}): partitions paused", job.failing());
        }
        Duration running = Duration.ofNanos(now - job.startedNanos());
        if (!warned && running.compareTo(STALL_WARNING) >= 0) {
            warned = true;
            LOG.warn("the warehouse has been committing a batch of {} rows for {} s without {} (a lock, a suspended "
                            + "warehouse, a hung connection?); partitions {} paused, {} records waiting, still polling so the group "
                            + "keeps this loader", job.batch().rows().size(), running.toSeconds(),
                    job.failing() ? "succeeding" : "returning", Loader.partitionsOf(consumer.paused()).stream().sorted().toList(),
                    pendingRecords);
        }
    }

    boolean stalled() {
        return stalledOn != null;
    }

    /** Waits at most {@code wait} for the commit this stall waits on to return. */
    void awaitCommit(Duration wait) {
        if (stalledOn != null) {
            stalledOn.awaitDone(wait);
        }
    }

    /** The commit waited for has returned (committed or not): resumes every partition but those still {@code unpositioned}. */
    void end(Collection<TopicPartition> unpositioned) {
        if (stalledOn == null) {
            return;
        }
        stalledOn = null;
        resume(consumer.paused(), unpositioned);
        if (warned) {
            LOG.info("the warehouse returned; partitions resumed after {} ms paused",
                    Duration.ofNanos(System.nanoTime() - stalledSinceNanos).toMillis());
        }
    }

    /** Resumes {@code partitions}, except while stalled (then {@link #end} resumes them). */
    void resumePositioned(Collection<TopicPartition> partitions) {
        if (stalledOn == null && !partitions.isEmpty()) {
            resume(partitions, Set.of());
        } else {
            notePaused();
        }
    }

    private void resume(Collection<TopicPartition> partitions, Collection<TopicPartition> unpositioned) {
        Set<TopicPartition> toResume = new HashSet<>(partitions);
        toResume.removeAll(unpositioned);
        toResume.removeAll(held.get());
        toResume.retainAll(consumer.assignment());
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
        notePaused();
    }

    void notePaused() {
        Set<TopicPartition> paused = consumer.paused();
        status.paused(Loader.partitionsOf(paused));
        metrics.pausedPartitions(paused.size());
    }
}
