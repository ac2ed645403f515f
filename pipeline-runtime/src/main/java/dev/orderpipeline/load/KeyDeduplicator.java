package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps the last row per upsert key. Rows arrive in offset order within a partition, and every
 * version of a key lives in one partition, so "last in the list" is "latest version".
 *
 * <p>The keys are found through one open-addressing table of positions in the result, built per batch: a
 * map would allocate an entry (and, for a key of several columns, a key object) for every row of every
 * batch, garbage that brings the loader's next young collection sooner.
 */
public final class KeyDeduplicator {
    private KeyDeduplicator() {
    }

    /** The last version of each key, in the order the keys first appeared. */
    public static List<Row> lastWins(List<Row> rows, int[] keyIndexes) {
        List<Row> kept = new ArrayList<>(rows.size());
        int[] positions = new int[tableSize(rows.size())]; // a position in kept, plus one; 0 is an empty slot
        int mask = positions.length - 1;
        for (Row row : rows) {
            int slot = hash(row, keyIndexes) & mask;
            while (true) {
                int at = positions[slot] - 1;
                if (at < 0) {
                    positions[slot] = kept.size() + 1;
                    kept.add(row);
                    break;
                }
                if (sameKey(kept.get(at), row, keyIndexes)) {
                    kept.set(at, row);
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        return kept;
    }

    /** A power of two at least twice the rows, so that linear probing stays short. */
    private static int tableSize(int rows) {
        return Integer.highestOneBit(Math.max(rows, 1)) << 2;
    }

    /** The key's hash, mixed so that sequential keys (order ids) do not fill neighbouring slots in runs. */
    private static int hash(Row row, int[] keyIndexes) {
        int h = 1;
        for (int index : keyIndexes) {
            h = 31 * h + Objects.hashCode(row.value(index));
        }
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The equality a map of the key values would use; a column the row was built without reads as null. */
    private static boolean sameKey(Row a, Row b, int[] keyIndexes) {
        for (int index : keyIndexes) {
            if (!Objects.equals(a.value(index), b.value(index))) {
                return false;
            }
        }
        return true;
    }
}
