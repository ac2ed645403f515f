package dev.orderpipeline.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The transaction every dialect shares: schema evolution first (DDL commits implicitly on some
 * warehouses), then, in one transaction, the offsets' compare-and-set, the staged rows and the
 * MERGE or INSERT into the target. Dialects differ only in their {@link WarehouseSql} and in how
 * they stage rows in bulk.
 */
public abstract class JdbcWarehouse implements Warehouse {
    protected final WarehouseSql sql;
    /** Every statement of the session fails after this long instead of waiting forever. */
    protected final Duration statementTimeout;
    private Connection connection;
    private final Set<SqlIdentifier> tableColumns = new HashSet<>();
    private List<Column> stagedColumns;

    protected JdbcWarehouse(WarehouseSql sql, Duration statementTimeout) {
        this.sql = sql;
        this.statementTimeout = statementTimeout;
    }

    /** Opens a new session to the warehouse. */
    protected abstract Connection connect() throws SQLException;

    /** Puts the rows into the (already cleared) staging table, in bulk: never a round trip per row. */
    protected abstract void stage(Connection connection, Batch batch) throws SQLException;

    protected Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = StatementTimeouts.apply(connect(), statementTimeout);
            stagedColumns = null;
        }
        return connection;
    }

    @Override
    public List<Column> open() throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute(sql.createOffsetsTable());
            s.execute(sql.createTargetTable());
        }
        return describeTarget(c);
    }

    private List<Column> describeTarget(Connection c) throws SQLException {
        List<Column> columns = new ArrayList<>();
        tableColumns.clear();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.describeTarget())) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                SqlIdentifier name = SqlIdentifier.of(md.getColumnName(i));
                tableColumns.add(name);
                if (!MetadataColumns.ALL.contains(name)) {
                    columns.add(new Column(name, sql.logicalType(md.getColumnTypeName(i), md.getScale(i))));
                }
            }
        }
        return columns;
    }

    @Override
    public Map<Integer, Long> storedOffsets(String pipeline, String topic, Collection<Integer> partitions)
            throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        Map<Integer, Long> offsets = readOffsets(c, pipeline, topic);
        List<Integer> missing = partitions.stream().filter(p -> !offsets.containsKey(p)).toList();
        if (!missing.isEmpty()) {
            try (PreparedStatement claim = c.prepareStatement(sql.claimPartition())) {
                for (int partition : missing) {
                    claim.setString(1, pipeline);
                    claim.setString(2, topic);
                    claim.setInt(3, partition);
                    claim.executeUpdate();
                }
            }
            offsets.putAll(readOffsets(c, pipeline, topic));
        }
        offsets.keySet().retainAll(partitions);
        return offsets;
    }

    private Map<Integer, Long> readOffsets(Connection c, String pipeline, String topic) throws SQLException {
        Map<Integer, Long> offsets = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement(sql.selectOffsets())) {
            select.setString(1, pipeline);
            select.setString(2, topic);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    offsets.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return offsets;
    }

    @Override
    public void write(Batch batch) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        addMissingColumns(c, batch.columns());
        prepareStaging(c, batch.columns());
        c.setAutoCommit(false);
        boolean committed = false;
        try {
            advanceOffsets(c, batch);
            try (Statement s = c.createStatement()) {
                s.execute(sql.clearStaging());
            }
            if (!batch.rows().isEmpty()) {
                stage(c, batch);
                try (Statement s = c.createStatement()) {
                    s.execute(batch.upsert()
                            ? sql.mergeFromStaging(batch.columns(), batch.keyColumns(), batch.committedAtMillis())
                            : sql.appendFromStaging(batch.columns(), batch.committedAtMillis()));
                }
            }
            c.commit();
            committed = true;
        } finally {
            if (!committed) {
                rollbackQuietly(c);
            }
        }
    }

    private void advanceOffsets(Connection c, Batch batch) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(sql.advanceOffset(batch.committedAtMillis()))) {
            for (Map.Entry<Integer, OffsetAdvance> e : batch.offsets().entrySet()) {
                update.setLong(1, e.getValue().next());
                update.setString(2, batch.pipeline());
                update.setString(3, batch.topic());
                update.setInt(4, e.getKey());
                update.setLong(5, e.getValue().expected());
                if (update.executeUpdate() != 1) {
                    throw new FencedException("partition " + e.getKey() + " of " + batch.topic()
                            + " no longer stands at offset " + e.getValue().expected() + " for pipeline "
                            + batch.pipeline() + ": another loader committed it");
                }
            }
        }
    }

    private void addMissingColumns(Connection c, List<Column> columns) throws SQLException {
        List<Column> missing = columns.stream().filter(col -> !tableColumns.contains(col.name())).toList();
        if (missing.isEmpty()) {
            return;
        }
        try (Statement s = c.createStatement()) {
            for (Column column : missing) {
                s.execute(sql.addColumn(column));
                tableColumns.add(column.name());
            }
        }
    }

    private void prepareStaging(Connection c, List<Column> columns) throws SQLException {
        if (columns.equals(stagedColumns)) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql.createStagingTable(columns));
        }
        stagedColumns = List.copyOf(columns);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is likely gone; the warehouse discards the open transaction
        }
    }

    @Override
    public void reset() {
        close();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken session
            }
            connection = null;
        }
        stagedColumns = null;
    }
}
