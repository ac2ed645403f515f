package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.HeapSize;
import dev.orderpipeline.warehouse.Row;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records accepted since the last commit: their rows, and per partition the offset to resume from
 * once they are committed (dead-lettered records advance it too). Knows when it is due: its bytes are the
 * heap its rows hold (an estimate, {@link HeapSize}), not their size on the wire, so that OPL_BATCH_MAX_BYTES
 * bounds memory.
 */
final class PendingBatch {
    private final List<Row> rows = new ArrayList<>();
    /** Kept per partition so that a partition handed over takes its records and bytes out of the counts. */
    private final Map<Integer, Share> shares = new HashMap<>();
    private long records;
    private long skipped;
    private long bytes;
    private long oldestRecordNanos;
    private long oldestTimestampMillis = Long.MAX_VALUE;

    /** One partition's part of the batch. */
    private static final class Share {
        long nextOffset;
        long records;
        long skipped;
        long bytes;
    }

    /** A row, counted by the heap it holds ({@link HeapSize}), which is what OPL_BATCH_MAX_BYTES bounds. */
    void add(Row row, long nowNanos, long recordTimestampMillis) {
        add(row, HeapSize.of(row), nowNanos, recordTimestampMillis);
    }

    void add(Row row, long sizeBytes, long nowNanos, long recordTimestampMillis) {
        rows.add(row);
        Share share = noteOffset(row.partition(), row.offset(), nowNanos, recordTimestampMillis);
        share.bytes += sizeBytes;
        bytes += sizeBytes;
    }

    /** A record that produced no row (dead-lettered): its offset still moves on with the batch. */
    void skip(int partition, long offset, long nowNanos, long recordTimestampMillis) {
        noteOffset(partition, offset, nowNanos, recordTimestampMillis).skipped++;
        skipped++;
    }

    private Share noteOffset(int partition, long offset, long nowNanos, long recordTimestampMillis) {
        if (records == 0) {
            oldestRecordNanos = nowNanos;
        }
        records++;
        oldestTimestampMillis = Math.min(oldestTimestampMillis, recordTimestampMillis);
        Share share = shares.computeIfAbsent(partition, p -> new Share());
        share.records++;
        share.nextOffset = offset + 1;
        return share;
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

    /** Forgets the partitions' rows and their share of the counts (they are another loader's now). */
    void dropPartitions(Collection<Integer> partitions) {
        rows.removeIf(r -> partitions.contains(r.partition()));
        for (int partition : partitions) {
            Share share = shares.remove(partition);
            if (share != null) {
                records -= share.records;
                skipped -= share.skipped;
                bytes -= share.bytes;
            }
        }
        if (shares.isEmpty()) {
            clear();
        }
    }

    void clear() {
        rows.clear();
        shares.clear();
        records = 0;
        skipped = 0;
        bytes = 0;
        oldestTimestampMillis = Long.MAX_VALUE;
    }

    List<Row> rows() {
        return rows;
    }

    /** Per partition, the offset to resume from once this batch is committed. */
    Map<Integer, Long> nextOffsets() {
        Map<Integer, Long> next = new HashMap<>();
        shares.forEach((partition, share) -> next.put(partition, share.nextOffset));
        return next;
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
