package dev.orderpipeline.warehouse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The data columns of the target table as the loader knows them: the table's existing columns,
 * then every new field seen in the stream, in order of first appearance. Columns are only ever
 * added (schema evolution never drops one), so a column's index is stable for the table's life.
 */
public final class TableShape {
    private final List<Column> columns = new ArrayList<>();
    private final Map<SqlIdentifier, Integer> indexByName = new HashMap<>();

    public TableShape(List<Column> existing) {
        existing.forEach(this::add);
    }

    public Optional<Integer> indexOf(SqlIdentifier name) {
        return Optional.ofNullable(indexByName.get(name));
    }

    public Column column(int index) {
        return columns.get(index);
    }

    /** Adds a column and returns its index. */
    public int add(Column column) {
        if (MetadataColumns.ALL.contains(column.name())) {
            throw new IllegalArgumentException(column.name() + " is reserved for the loader's metadata");
        }
        Integer existing = indexByName.get(column.name());
        if (existing != null) {
            return existing;
        }
        columns.add(column);
        indexByName.put(column.name(), columns.size() - 1);
        return columns.size() - 1;
    }

    public int size() {
        return columns.size();
    }

    /** An immutable copy of the columns, as the batch being built sees them. */
    public List<Column> snapshot() {
        return List.copyOf(columns);
    }
}
