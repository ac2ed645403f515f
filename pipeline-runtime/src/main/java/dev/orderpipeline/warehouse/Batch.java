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

    /** Where each key column sits in {@link #columns}, in the key's order. */
    public int[] keyIndexes() {
        int[] indexes = new int[keyColumns.size()];
        for (int k = 0; k < indexes.length; k++) {
            indexes[k] = columnIndex(keyColumns.get(k));
        }
        return indexes;
    }

    /** The key columns with their types, in the key's order. */
    public List<Column> keys() {
        return keyColumns.stream().map(key -> columns.get(columnIndex(key))).toList();
    }

    private int columnIndex(SqlIdentifier name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("key column " + name + " is not one of the batch's columns");
    }

    public boolean hasTombstones() {
        return rows.stream().anyMatch(Row::deleted);
    }
}
