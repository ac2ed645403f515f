package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Row;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records accepted since the last commit: their rows, and per partition the offset to resume from
 * once they are committed (dead-lettered records advance it too). Knows when it is due.
 */
final class PendingBatch {
    private final List<Row> rows = new ArrayList<>();
    private final Map<Integer, Long> nextOffsets = new HashMap<>();
    private long records;
    private long skipped;
    private long bytes;
    private long oldestRecordNanos;
    private long oldestTimestampMillis = Long.MAX_VALUE;

    void add(Row row, int sizeBytes, long nowNanos, long recordTimestampMillis) {
        rows.add(row);
        bytes += sizeBytes;
        noteOffset(row.partition(), row.offset(), nowNanos, recordTimestampMillis);
    }

    /** A record that produced no row (dead-lettered): its offset still moves on with the batch. */
    void skip(int partition, long offset, long nowNanos, long recordTimestampMillis) {
        skipped++;
        noteOffset(partition, offset, nowNanos, recordTimestampMillis);
    }

    private void noteOffset(int partition, long offset, long nowNanos, long recordTimestampMillis) {
        if (records == 0) {
            oldestRecordNanos = nowNanos;
        }
        records++;
        oldestTimestampMillis = Math.min(oldestTimestampMillis, recordTimestampMillis);
        nextOffsets.put(partition, offset + 1);
    }

    boolean isEmpty() {
        return records == 0;
    }

    boolean isDue(long nowNanos, int maxRecords, long maxBytes, long maxLatencyNanos) {
        return records > 0 && (records >= maxRecords || bytes >= maxBytes || nowNanos - oldestRecordNanos >= maxLatencyNanos);
    }

    /** Nanoseconds until the latency limit forces a flush (for the poll timeout). */
    long nanosUntilDue(long nowNanos, long maxLatencyNanos) {
        return records == 0 ? maxLatencyNanos : Math.max(0, oldestRecordNanos + maxLatencyNanos - nowNanos);
    }

    void dropPartitions(Collection<Integer> partitions) {
        rows.removeIf(r -> partitions.contains(r.partition()));
        nextOffsets.keySet().removeAll(partitions);
        if (nextOffsets.isEmpty()) {
            clear();
        }
    }

    void clear() {
        rows.clear();
        nextOffsets.clear();
        records = 0;
        skipped = 0;
        bytes = 0;
        oldestTimestampMillis = Long.MAX_VALUE;
    }

    List<Row> rows() {
        return rows;
    }

    Map<Integer, Long> nextOffsets() {
        return nextOffsets;
    }

    long records() {
        return records;
    }

    /** Records that made a row (not dead-lettered). */
    long loadedRecords() {
        return records - skipped;
    }

    long skipped() {
        return skipped;
    }

    long bytes() {
        return bytes;
    }

    long oldestTimestampMillis() {
        return oldestTimestampMillis;
    }
}
