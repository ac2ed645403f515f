package dev.orderpipeline.schema;

import dev.orderpipeline.config.SqlIdentifier;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which field path owns which column, so that two fields never share one. The rule, deterministic
 * whatever the order of the fields in a record:
 * <ol>
 *   <li>a path whose {@linkplain ColumnNaming#suffixed suffixed} column exists in the table uses it
 *       (that is how a restarted or second loader learns an earlier collision: the table remembers);</li>
 *   <li>the upsert key's fields always own their names;</li>
 *   <li>otherwise a path gets its preferred name unless that name is reserved (the metadata columns,
 *       {@code _KAFKA_*}) or owned by another path: by one seen earlier by this loader, or, among the new
 *       fields of one record, by the one that comes first in {@link #PRECEDENCE} (the flatter path, then
 *       the one whose name needed no character mapped, then the smaller JSON Pointer);</li>
 *   <li>the loser gets its suffixed name.</li>
 * </ol>
 * Ownership of a column that existed before this loader started is claimed by the first path this
 * loader maps to it.
 */
public final class ColumnClaims {
    /** Which of two new fields of one record keeps a name both map to. */
    public static final Comparator<List<String>> PRECEDENCE = Comparator
            .<List<String>>comparingInt(List::size)
            .thenComparing(path -> !ColumnNaming.isVerbatim(path))
            .thenComparing(ColumnNaming::pointer);

    private final ColumnNaming naming;
    private final Map<SqlIdentifier, List<String>> owners = new HashMap<>();

    public ColumnClaims(ColumnNaming naming, List<List<String>> keyPaths) {
        this.naming = naming;
        keyPaths.forEach(path -> owners.put(naming.preferred(path), List.copyOf(path)));
    }

    public ColumnNaming naming() {
        return naming;
    }

    /**
     * The column of a path this loader has not mapped yet, or null when even its suffixed name is
     * taken by another path (a hash collision: the record is refused).
     *
     * @param tableHas whether the table (as the loader knows it) has a column of that name
     * @param inRecord names already given to the record's other new fields, with their paths
     */
    public SqlIdentifier resolve(List<String> path, Predicate<SqlIdentifier> tableHas,
                                 Map<SqlIdentifier, List<String>> inRecord) {
        SqlIdentifier suffixed = naming.suffixed(path);
        if (tableHas.test(suffixed) && ownedByOther(suffixed, path, inRecord) == null) {
            return suffixed;
        }
        SqlIdentifier preferred = naming.preferred(path);
        if (!ColumnNaming.isReserved(preferred) && ownedByOther(preferred, path, inRecord) == null) {
            return preferred;
        }
        return ownedByOther(suffixed, path, inRecord) == null ? suffixed : null;
    }

    private List<String> ownedByOther(SqlIdentifier name, List<String> path, Map<SqlIdentifier, List<String>> inRecord) {
        List<String> owner = owners.get(name);
        if (owner == null) {
            owner = inRecord.get(name);
        }
        return owner == null || owner.equals(path) ? null : owner;
    }

    /** Records that {@code path} owns {@code column} (once its record converted). */
    public void claim(SqlIdentifier column, List<String> path) {
        owners.putIfAbsent(column, List.copyOf(path));
    }
}
