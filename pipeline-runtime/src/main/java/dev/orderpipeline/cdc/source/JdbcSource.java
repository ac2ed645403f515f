package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.PgNames;
import dev.orderpipeline.cdc.SchemaIncompatibleException;
import dev.orderpipeline.config.SqlIdentifier;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/** What every warehouse source shares: the session, keyset pagination and reading result columns. */
abstract class JdbcSource implements ChangeSource {
    protected final WarehouseDialect dialect;
    protected final String table;
    private final String changeMarker;
    protected final List<SqlIdentifier> keys;
    private Connection connection;
    private KeyFences fences;
    private ReadAhead ahead;
    private ExecutorService readAhead;

    JdbcSource(WarehouseDialect dialect, SqlIdentifier table, List<SqlIdentifier> keys) {
        this.dialect = dialect;
        this.table = dialect.table(table);
        this.changeMarker = dialect.changeMarkerQuery(table);
        this.keys = List.copyOf(keys);
    }

    /** The session; a page being read ahead holds it until that read is done. */
    protected Connection connection() throws SQLException {
        if (ahead != null) {
            ahead.settle();
        }
        if (connection == null || connection.isClosed()) {
            connection = dialect.connect();
        }
        return connection;
    }

    protected List<String> keyNames() {
        return keys.stream().map(PgNames::of).toList();
    }

    protected String keyList(String alias) {
        return keys.stream().map(k -> alias + k.quoted()).collect(Collectors.joining(", "));
    }

    /** {@code (k1 > ?) OR (k1 = ? AND k2 > ?) …}: rows after a composite key, portable to every dialect. */
    protected String keysetCondition(String alias, JsonNode afterKey, List<JsonNode> binds) {
        if (afterKey == null || afterKey.isNull()) {
            return "TRUE";
        }
        List<String> disjuncts = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            List<String> conj = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                conj.add(alias + keys.get(j).quoted() + " = ?");
                binds.add(afterKey.get(j));
            }
            conj.add(alias + keys.get(i).quoted() + " > ?");
            binds.add(afterKey.get(i));
            disjuncts.add("(" + String.join(" AND ", conj) + ")");
        }
        return "(" + String.join(" OR ", disjuncts) + ")";
    }

    /** Runs one page query of a snapshot on {@code c} and reads it; the page's {@code more} is decided by the caller. */
    @FunctionalInterface
    protected interface PageQuery {
        ChangePage run(Connection c, String sql, List<JsonNode> binds) throws SQLException;
    }

    /**
     * The live rows after {@code afterKey} in key order, at most {@code limit}, read within the
     * current {@link KeyFences} range. {@code live} filters the rows a snapshot copies, over the bare
     * table (the fences) and over {@code relation} (the pages), which both have the key columns.
     * When more follow, the next page is read ahead while this one is applied (see {@link ReadAhead}).
     */
    protected ChangePage snapshotPage(String relation, String live, JsonNode afterKey, int limit, PageQuery query)
            throws SQLException {
        ReadAhead prefetched = ahead;
        ahead = null;
        ChangePage page = null;
        if (prefetched != null && prefetched.startsAfter(afterKey, limit)) {
            page = prefetched.page();
        } else if (prefetched != null) {
            prefetched.settle();
        }
        if (page == null) {
            Connection c = connection();
            if (fences == null || !fences.continues(afterKey)) {
                fences = new KeyFences(afterKey, fences(c, live, afterKey, limit));
            }
            page = readPage(c, relation, live, afterKey, limit, query);
        }
        if (page.more()) {
            Connection c = connection();
            JsonNode next = fences.next();
            ahead = new ReadAhead(next, limit, readAhead().submit(() -> readPage(c, relation, live, next, limit, query)));
        }
        return page;
    }

    private ChangePage readPage(Connection c, String relation, String live, JsonNode afterKey, int limit, PageQuery query)
            throws SQLException {
        while (true) {
            JsonNode bound = fences.bound();
            List<JsonNode> binds = new ArrayList<>();
            String sql = "SELECT * FROM " + relation + " WHERE " + live + " AND " + keysetCondition("", afterKey, binds)
                    + (bound == null ? "" : " AND NOT " + keysetCondition("", bound, binds))
                    + " ORDER BY " + keyList("") + " LIMIT " + limit;
            ChangePage page = query.run(c, sql, binds);
            boolean full = page.changes().size() >= limit;
            if (!full && bound == null) {
                fences = null;
                return withMore(page, false);
            }
            if (!full) {
                fences.rangeDone();
                if (page.changes().isEmpty()) {
                    continue;
                }
            }
            fences.pageEndsAt(keyOf(page.columns(), page.changes().get(page.changes().size() - 1)));
            return withMore(page, true);
        }
    }

    private ExecutorService readAhead() {
        if (readAhead == null) {
            readAhead = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "cdc-read-ahead");
                t.setDaemon(true);
                return t;
            });
        }
        return readAhead;
    }

    /** Every {@code limit}-th live key after {@code afterKey}, in order: one sort of the key columns alone. */
    private List<JsonNode> fences(Connection c, String live, JsonNode afterKey, int limit) throws SQLException {
        List<JsonNode> binds = new ArrayList<>();
        String sql = "SELECT " + keyList("") + " FROM (SELECT " + keyList("") + ", ROW_NUMBER() OVER (ORDER BY "
                + keyList("") + ") AS \"_OPL_RN\" FROM " + table + " WHERE " + live + " AND "
                + keysetCondition("", afterKey, binds) + ") f WHERE \"_OPL_RN\" % " + limit + " = 0 ORDER BY " + keyList("");
        List<JsonNode> bounds = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, binds);
            try (ResultSet rs = s.executeQuery()) {
                CdcType[] types = new CdcType[keys.size()];
                for (int i = 0; i < types.length; i++) {
                    types[i] = CdcType.of(rs.getMetaData(), i + 1);
                }
                while (rs.next()) {
                    ArrayNode key = JsonNodeFactory.instance.arrayNode();
                    for (int i = 0; i < types.length; i++) {
                        key.add(json(types[i].read(rs, i + 1)));
                    }
                    bounds.add(key);
                }
            }
        }
        return bounds;
    }

    private JsonNode keyOf(List<CdcColumn> columns, Change change) {
        ArrayNode key = JsonNodeFactory.instance.arrayNode();
        for (String name : keyNames()) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(name)) {
                    key.add(json(change.values()[i]));
                }
            }
        }
        return key;
    }

    private static ChangePage withMore(ChangePage page, boolean more) {
        return new ChangePage(page.columns(), page.changes(), page.watermark(), more, page.oldestChangeMillis(),
                page.oldestProducedMillis());
    }

    protected static void bind(PreparedStatement statement, List<JsonNode> binds) throws SQLException {
        for (int i = 0; i < binds.size(); i++) {
            JsonNode v = binds.get(i);
            if (v.isIntegralNumber()) {
                statement.setLong(i + 1, v.asLong());
            } else if (v.isNumber()) {
                statement.setBigDecimal(i + 1, v.decimalValue());
            } else if (v.isBoolean()) {
                statement.setBoolean(i + 1, v.asBoolean());
            } else {
                statement.setString(i + 1, v.asText());
            }
        }
    }

    static JsonNode json(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof Long l) {
            return f.numberNode(l);
        }
        if (value instanceof BigDecimal d) {
            return f.numberNode(d);
        }
        if (value instanceof Double d) {
            return f.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        return f.textNode(CdcType.canonical(value));
    }

    /** The data columns of a result (every column but {@code special} ones) and where the special ones are. */
    record Plan(List<CdcColumn> data, int[] dataIndexes, Map<String, Integer> special) {
        static Plan of(ResultSetMetaData md, Set<String> specialNames) throws SQLException {
            List<CdcColumn> data = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            Map<String, Integer> special = new HashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String name = md.getColumnLabel(i).toUpperCase(Locale.ROOT);
                if (specialNames.contains(name)) {
                    special.put(name, i);
                    continue;
                }
                String pgName;
                try {
                    pgName = PgNames.of(SqlIdentifier.of(name));
                } catch (IllegalArgumentException e) {
                    throw new SchemaIncompatibleException(name, "source column " + name + " cannot be replicated: "
                            + e.getMessage());
                }
                data.add(new CdcColumn(pgName, CdcType.of(md, i)));
                indexes.add(i);
            }
            return new Plan(List.copyOf(data), indexes.stream().mapToInt(Integer::intValue).toArray(), special);
        }

        int dataIndex(String pgName) {
            for (int i = 0; i < data.size(); i++) {
                if (data.get(i).name().equals(pgName)) {
                    return i;
                }
            }
            return -1;
        }

        void requireKeys(List<String> keyNames) {
            for (String key : keyNames) {
                if (dataIndex(key) < 0) {
                    throw new SchemaIncompatibleException(key, "key column " + key.toUpperCase(Locale.ROOT)
                            + " is not a column of the source table");
                }
            }
        }
    }

    @Override
    public java.util.Optional<String> changeMarker() throws SQLException {
        if (changeMarker == null) {
            return java.util.Optional.empty();
        }
        try (java.sql.Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(changeMarker)) {
            return java.util.Optional.of(rs.next() ? String.valueOf(rs.getString(1)) : "no such table");
        }
    }

    @Override
    public boolean billedWarehouse() {
        return dialect.billedWarehouse();
    }

    @Override
    public void release() {
        if (dialect.releaseBetweenCycles()) {
            reset();
        }
    }

    @Override
    public void reset() {
        if (ahead != null) {
            ahead.settle();
            ahead = null;
        }
        fences = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken session
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        reset();
        if (readAhead != null) {
            readAhead.shutdown();
        }
    }
}
