package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import java.util.List;
import java.util.Map;

/**
 * What one warehouse transaction writes: rows (already deduplicated by key in upsert mode) and the
 * offset advance of every partition they came from, including partitions whose records all went
 * to the dead-letter topic.
 */
public record Batch(
        String pipeline,
        String topic,
        List<Column> columns,
        List<SqlIdentifier> keyColumns,
        List<Row> rows,
        Map<Integer, OffsetAdvance> offsets,
        long committedAtMillis) {

    /** The same transaction with other rows (the ones left once refused rows are taken out). */
    public Batch withRows(List<Row> otherRows) {
        return new Batch(pipeline, topic, columns, keyColumns, otherRows, offsets, committedAtMillis);
    }

    public boolean upsert() {
        return !keyColumns.isEmpty();
    }

    public boolean hasTombstones() {
        return rows.stream().anyMatch(Row::deleted);
    }
}
