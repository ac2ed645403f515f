package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the last row per upsert key. Rows arrive in offset order within a partition, and every
 * version of a key lives in one partition, so "last in the list" is "latest version".
 */
final class KeyDeduplicator {
    private KeyDeduplicator() {
    }

    static List<Row> lastWins(List<Row> rows, int[] keyIndexes) {
        if (keyIndexes.length == 1) {
            return lastWinsBy(rows, keyIndexes[0]);
        }
        Map<Key, Row> latest = new LinkedHashMap<>(rows.size() * 2);
        for (Row row : rows) {
            Object[] key = new Object[keyIndexes.length];
            for (int i = 0; i < keyIndexes.length; i++) {
                key[i] = row.value(keyIndexes[i]);
            }
            latest.put(new Key(key), row);
        }
        return new ArrayList<>(latest.values());
    }

    /** One key column: its value is the map key (the same equality as a one-part Key, without two objects a row). */
    private static List<Row> lastWinsBy(List<Row> rows, int keyIndex) {
        Map<Object, Row> latest = new LinkedHashMap<>(rows.size() * 2);
        for (Row row : rows) {
            latest.put(row.value(keyIndex), row);
        }
        return new ArrayList<>(latest.values());
    }

    private record Key(Object[] parts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(parts, k.parts);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(parts);
        }
    }
}
