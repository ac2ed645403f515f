package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data columns of the target table as the loader knows them: the table's existing columns,
 * then every new field seen in the stream, in order of first appearance. Columns are only ever
 * added (schema evolution never drops one), so a column's index is stable for the table's life.
 *
 * <p>The warehouse's own column types are the truth: the warehouse {@linkplain #learn teaches} this
 * shape the table's columns whenever it reads them back (on the commit thread), while the converter
 * reads and extends it on the poll thread. Reads are lock-free (a copy-on-write array); changes,
 * which are rare, take the lock.
 */
public final class TableShape {
    private volatile Column[] columns = new Column[0];
    private final Map<SqlIdentifier, Integer> indexByName = new ConcurrentHashMap<>();

    public TableShape(List<Column> existing) {
        existing.forEach(this::add);
    }

    public Optional<Integer> indexOf(SqlIdentifier name) {
        return Optional.ofNullable(indexByName.get(name));
    }

    public Column column(int index) {
        return columns[index];
    }

    /** Adds a column and returns its index; a column of that name that exists keeps its index and type. */
    public synchronized int add(Column column) {
        if (MetadataColumns.ALL.contains(column.name())) {
            throw new IllegalArgumentException(column.name() + " is reserved for the loader's metadata");
        }
        Integer existing = indexByName.get(column.name());
        if (existing != null) {
            return existing;
        }
        Column[] grown = Arrays.copyOf(columns, columns.length + 1);
        grown[columns.length] = column;
        columns = grown; // published before the index, so an index read always has its column
        indexByName.put(column.name(), grown.length - 1);
        return grown.length - 1;
    }

    /** Changes a column's type (a widening decided by the schema policy). */
    public synchronized void retype(int index, ColumnType type) {
        if (columns[index].type() != type) {
            Column[] changed = columns.clone();
            changed[index] = new Column(changed[index].name(), type);
            columns = changed;
        }
    }

    /**
     * The table's columns as the warehouse reports them: their types replace the ones this shape
     * assumed, and columns another loader added are appended.
     */
    public synchronized void learn(List<Column> table) {
        for (Column column : table) {
            Integer index = indexByName.get(column.name());
            if (index == null) {
                add(column);
            } else {
                retype(index, column.type());
            }
        }
    }

    public int size() {
        return columns.length;
    }

    /** An immutable copy of the columns, as the batch being built sees them. */
    public List<Column> snapshot() {
        return List.of(columns);
    }
}
