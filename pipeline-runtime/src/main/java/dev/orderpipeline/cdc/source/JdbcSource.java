package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.PgNames;
import dev.orderpipeline.cdc.SchemaIncompatibleException;
import dev.orderpipeline.warehouse.SqlIdentifier;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** What every warehouse source shares: the session, keyset pagination and reading result columns. */
abstract class JdbcSource implements ChangeSource {
    protected final WarehouseDialect dialect;
    protected final String table;
    protected final List<SqlIdentifier> keys;
    private Connection connection;

    JdbcSource(WarehouseDialect dialect, SqlIdentifier table, List<SqlIdentifier> keys) {
        this.dialect = dialect;
        this.table = dialect.table(table);
        this.keys = List.copyOf(keys);
    }

    protected Connection connection() throws SQLException {
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
    public void release() {
        if (dialect.releaseBetweenCycles()) {
            reset();
        }
    }

    @Override
    public void reset() {
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
    }
}
