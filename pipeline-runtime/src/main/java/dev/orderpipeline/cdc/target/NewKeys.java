package dev.orderpipeline.cdc.target;

import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.PgNames;
import dev.orderpipeline.warehouse.PostgresSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a page into the changes that only insert a key the keyed target does not hold, which one COPY can write
 * straight into it, and the rest, which go the guarded way (staged, then upserted or deleted by version). For a
 * key the table does not hold, the guarded upsert would insert the row as it is, whatever its version; so the
 * result is the same, without writing the row twice and without a speculative insertion per row.
 *
 * <p>A change goes straight in only when it is an upsert, its key has no NULL, no other change of the page has
 * the same key (the guarded way keeps the newest of several), and the table holds no row with that key. The
 * lookup is one statement: the candidates' keys as arrays, each found by the key's index ({@code LIMIT 1}
 * per key). Two keys Java tells apart but PostgreSQL takes for equal (a numeric's scale) make the COPY fail on
 * the key, and the caller then stages the whole page.
 */
final class NewKeys {
    private final String table;
    private final List<String> keyColumns;

    NewKeys(String table, List<String> keyColumns) {
        this.table = table;
        this.keyColumns = List.copyOf(keyColumns);
    }

    /** The page's changes in two lists, each in the page's order. */
    record Split(List<Change> straightIn, List<Change> guarded) {
    }

    Split split(Connection c, List<CdcColumn> columns, List<Change> changes) throws SQLException {
        int[] keyIndexes = keyColumns.stream().mapToInt(k -> indexOf(columns, k)).toArray();
        BitSet candidates = uniqueUpserts(changes, keyIndexes);
        if (candidates.isEmpty()) {
            return new Split(List.of(), changes);
        }
        int[] rows = candidates.stream().toArray();
        try (PreparedStatement lookup = c.prepareStatement(lookupSql(columns, keyIndexes))) {
            for (int k = 0; k < keyIndexes.length; k++) {
                CdcColumn key = columns.get(keyIndexes[k]);
                if (key.type() == CdcType.BIGINT) {
                    long[] values = new long[rows.length];
                    for (int i = 0; i < rows.length; i++) {
                        values[i] = ((Number) changes.get(rows[i]).values()[keyIndexes[k]]).longValue();
                    }
                    lookup.setObject(k + 1, values); // an int8[] in binary
                } else {
                    String[] values = new String[rows.length];
                    for (int i = 0; i < rows.length; i++) {
                        values[i] = changes.get(rows[i]).values()[keyIndexes[k]].toString();
                    }
                    lookup.setArray(k + 1, c.createArrayOf("text", values));
                }
            }
            try (ResultSet held = lookup.executeQuery()) {
                while (held.next()) {
                    candidates.clear(rows[(int) held.getLong(1) - 1]);
                }
            }
        }
        List<Change> straightIn = new ArrayList<>(candidates.cardinality());
        List<Change> guarded = new ArrayList<>(changes.size() - candidates.cardinality());
        for (int i = 0; i < changes.size(); i++) {
            (candidates.get(i) ? straightIn : guarded).add(changes.get(i));
        }
        return new Split(straightIn, guarded);
    }

    /** The upserts whose key has no NULL and appears once in the page. */
    private static BitSet uniqueUpserts(List<Change> changes, int[] keyIndexes) {
        Map<Object, Integer> firstWithKey = new HashMap<>(changes.size() * 2);
        BitSet unique = new BitSet(changes.size());
        BitSet seenTwice = new BitSet(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            Object key = key(changes.get(i).values(), keyIndexes);
            if (key == null) {
                continue;
            }
            Integer first = firstWithKey.putIfAbsent(key, i);
            if (first == null) {
                if (!changes.get(i).delete()) {
                    unique.set(i);
                }
            } else {
                seenTwice.set(first);
            }
        }
        unique.andNot(seenTwice);
        return unique;
    }

    /** The key's value, or its values as a list for a composite key; null when any part is NULL. */
    private static Object key(Object[] values, int[] keyIndexes) {
        if (keyIndexes.length == 1) {
            return values[keyIndexes[0]];
        }
        Object[] key = new Object[keyIndexes.length];
        for (int k = 0; k < keyIndexes.length; k++) {
            key[k] = values[keyIndexes[k]];
            if (key[k] == null) {
                return null;
            }
        }
        return Arrays.asList(key);
    }

    /** The 1-based positions, among the arrays' elements, of the keys the table holds (the loader's lookup). */
    private String lookupSql(List<CdcColumn> columns, int[] keyIndexes) {
        return PostgresSql.keysHeld(table, Arrays.stream(keyIndexes).mapToObj(columns::get)
                .map(k -> new PostgresSql.KeyColumn(k.quoted(), k.type().pgType(), k.type() == CdcType.BIGINT)).toList());
    }

    private static int indexOf(List<CdcColumn> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("the page has no key column " + PgNames.quote(name));
    }
}
