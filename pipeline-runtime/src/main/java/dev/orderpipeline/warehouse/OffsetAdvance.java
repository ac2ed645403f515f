package dev.orderpipeline.warehouse;

/**
 * A compare-and-set on one partition's stored offset: it moves from {@code expected} (what this
 * loader read at assignment or last committed) to {@code next}; {@code expected} is -1 when the
 * pipeline never committed the partition.
 */
public record OffsetAdvance(long expected, long next) {
}
