package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import dev.orderpipeline.schema.NotConvertibleException;
import dev.orderpipeline.schema.SchemaLimits;
import dev.orderpipeline.schema.SchemaPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction every dialect shares: schema evolution first (DDL commits implicitly on some
 * warehouses), then, in one transaction, the offsets' compare-and-set, the staged rows and the
 * MERGE or INSERT into the target. Dialects differ only in their {@link WarehouseSql} and in how
 * they stage rows in bulk.
 *
 * <p>The table's own column types are the truth, shared by every loader: they are read back after
 * every ALTER and whenever a batch's type for a column disagrees with them. A batch type the table's
 * can widen to losslessly widens the table; otherwise every value is converted to the table's type
 * here, before staging, so the database never casts silently; a value that does not convert fails
 * the write with a {@link SQLDataException} (SQLState 22018) naming column, type and value.
 */
public abstract class JdbcWarehouse implements Warehouse {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcWarehouse.class);
    protected final WarehouseSql sql;
    private static final String DATA_EXCEPTION_STATE = "22018"; // invalid character value for cast
    /** The scratch column of a widening in progress on a dialect that rebuilds the column (Snowflake). */
    private static final String WIDENING_PREFIX = "_OPL_WIDEN_";
    /** Every statement of the session fails after this long instead of waiting forever. */
    protected final Duration statementTimeout;
    private Connection connection;
    /** The target's columns and their types as last read from the warehouse. */
    private final Map<SqlIdentifier, ColumnType> tableTypes = new HashMap<>();
    private List<Column> stagedColumns;
    /** The loader's shape, taught the table's columns whenever they are read back. */
    private volatile TableShape synced;

    protected JdbcWarehouse(WarehouseSql sql, Duration statementTimeout) {
        this.sql = sql;
        this.statementTimeout = statementTimeout;
    }

    /** Opens a new session to the warehouse. */
    protected abstract Connection connect() throws SQLException;

    /**
     * Whether the target is known to have a unique index on exactly the key columns, so that the dialect may
     * upsert with a statement that needs one ({@link WarehouseSql#upsertFromStaging}).
     */
    protected boolean keyIsUnique() {
        return false;
    }

    /**
     * Puts the rows into the (already cleared) staging table, in bulk: never a round trip per row. A dialect
     * may write the rows that need no upsert straight into the target instead (PostgreSQL does).
     */
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
            // Only when missing: an ALTER waits for every lock on the table (PostgreSQL takes its strongest lock
            // even when the column exists), and a loader starting beside a long commit must not wait for it.
            for (String addColumn : sql.addKafkaCoordinateColumns(allColumnNames(c))) {
                s.execute(addColumn);
            }
            // Rows loaded before those columns existed get them once, here, so that the replicator's change
            // query can filter on native columns alone (CDC.md, "Native coordinates"). The check reads the
            // offset column first, so on a table without such rows it parses no JSON and writes nothing.
            boolean legacy;
            try (ResultSet rs = s.executeQuery(sql.legacyCoordinatesRemain())) {
                legacy = rs.next();
            }
            if (legacy) {
                try {
                    s.executeUpdate(sql.backfillKafkaCoordinates());
                } catch (SQLException e) {
                    // Only a speed-up for the replicator, which reads such rows through RECORD_METADATA until the
                    // backfill is done: a table too large to backfill within the statement timeout must not keep
                    // the loader from starting. The next open tries again.
                    LOG.warn(
                            "could not copy the Kafka coordinates of older rows from RECORD_METADATA (retried at the next start): {}",
                            e.getMessage());
                }
            }
        }
        return describeTarget(c);
    }

    private Set<SqlIdentifier> allColumnNames(Connection c) throws SQLException {
        Set<SqlIdentifier> names = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.describeTarget())) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                names.add(SqlIdentifier.of(md.getColumnName(i)));
            }
        }
        return names;
    }

    @Override
    public SchemaLimits limits() {
        return new SchemaLimits(sql.maxColumns(), sql.maxIdentifierLength());
    }

    @Override
    public void syncShape(TableShape shape) {
        this.synced = shape;
    }

    private List<Column> describeTarget(Connection c) throws SQLException {
        List<Column> columns = new ArrayList<>();
        tableTypes.clear();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.describeTarget())) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                SqlIdentifier name = SqlIdentifier.of(md.getColumnName(i));
                ColumnType type = sql.logicalType(md.getColumnTypeName(i), md.getScale(i));
                if (MetadataColumns.ALL.contains(name) || name.name().startsWith(WIDENING_PREFIX)) {
                    continue;
                }
                tableTypes.put(name, type);
                columns.add(new Column(name, type));
            }
        }
        TableShape shape = synced;
        if (shape != null) {
            shape.learn(columns);
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
        transact(batch, true);
    }

    @Override
    public void trial(Batch batch) throws SQLException {
        transact(batch, false);
    }

    /** {@code commit} false: a trial, rolled back, offsets untouched, the statements run even without rows. */
    private void transact(Batch batch, boolean commit) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        PhaseTimes times = new PhaseTimes();
        batch = reconcile(c, batch);
        prepareStaging(c, batch.columns());
        times.mark("reconcile");
        c.setAutoCommit(false);
        boolean committed = false;
        try {
            // First, a statement that leaves nothing behind if it runs outside the transaction. pgjdbc sends BEGIN
            // with the transaction's first statement without waiting for BEGIN's answer; should BEGIN fail (a
            // cancel request held up by the network landing on it), that statement still runs, in autocommit. Were
            // it the offsets' update, the offsets would commit without their rows, and those records never load.
            try (Statement s = c.createStatement()) {
                s.execute(sql.clearStaging(batch.columns()));
            }
            if (commit) {
                advanceOffsets(c, batch);
                times.mark("offsets");
            }
            if (!batch.rows().isEmpty()) {
                stage(c, batch);
            }
            times.mark("stage");
            if (!batch.rows().isEmpty() || !commit) {
                writeStaged(c, batch);
                times.mark("upsert");
            }
            if (commit) {
                c.commit();
                committed = true;
                times.mark("commit");
                if (LOG.isDebugEnabled()) {
                    LOG.debug("write of {} rows: {}", batch.rows().size(), times);
                }
            }
        } finally {
            if (!committed) {
                rollbackQuietly(c);
            }
        }
    }

    /** Moves the staged rows into the target, inside the batch's transaction: the dialect's statements, in order. */
    protected void writeStaged(Connection c, Batch batch) throws SQLException {
        List<String> statements = batch.upsert()
                ? sql.upsertFromStaging(batch.columns(), batch.keyColumns(), keyIsUnique(), batch.hasTombstones())
                : List.of(sql.appendFromStaging(batch.columns()));
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private void advanceOffsets(Connection c, Batch batch) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(sql.advanceOffset())) {
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

    /**
     * Brings the table to the batch's columns and returns the batch converted to the table's types.
     * The plan (the table's type, widened where the batch needs and the policy allows) is checked on
     * every value first, so a refused value changes nothing; then missing columns are added and
     * columns widened, and the types read back (another loader may have added or widened the same
     * column meanwhile: then the values are converted again, to what the table really holds).
     */
    private Batch reconcile(Connection c, Batch batch) throws SQLException {
        List<Column> columns = batch.columns();
        if (columns.stream().anyMatch(col -> tableTypes.get(col.name()) != col.type())) {
            describeTarget(c); // read the truth before deciding anything
        }
        for (int attempt = 1; ; attempt++) {
            List<Column> planned = columns.stream().map(col -> {
                ColumnType table = tableTypes.get(col.name());
                return new Column(col.name(), table == null ? col.type() : SchemaPolicy.join(table, col.type()));
            }).toList();
            Batch conformed = conform(batch, planned);
            if (!changeTable(c, planned)) {
                return conformed;
            }
            describeTarget(c);
            boolean asPlanned = planned.stream().allMatch(col -> tableTypes.get(col.name()) == col.type());
            if (asPlanned) {
                return conformed;
            }
            if (attempt == 3) {
                throw new SQLException("the columns of " + sql.targetTable() + " kept changing while this loader "
                        + "changed them (another loader altering the table?); trying again", "40001");
            }
        }
    }

    /** Adds the planned columns the table lacks and widens the ones it has narrower; true when it ran DDL. */
    private boolean changeTable(Connection c, List<Column> planned) throws SQLException {
        boolean changed = false;
        try (Statement s = c.createStatement()) {
            for (Column column : planned) {
                ColumnType table = tableTypes.get(column.name());
                if (table == null) {
                    s.execute(sql.addColumn(column));
                    changed = true;
                } else if (table != column.type()) {
                    for (String statement : sql.widenColumn(column)) {
                        s.execute(statement);
                    }
                    changed = true;
                }
            }
        }
        return changed;
    }

    /**
     * The batch with every value in the Java type of its column's table type: rows converted before the
     * table learned a type, or by a loader that assumed another one, are converted here, exactly.
     */
    private static Batch conform(Batch batch, List<Column> tableColumns) throws SQLDataException {
        boolean sameColumns = tableColumns.equals(batch.columns());
        List<Row> rows = batch.rows();
        List<Row> conformed = null;
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            Object[] values = null;
            for (int i = 0; i < tableColumns.size(); i++) {
                Column column = tableColumns.get(i);
                Object value = row.value(i);
                if (SchemaPolicy.isNative(column.type(), value)) {
                    continue;
                }
                if (values == null) {
                    values = Arrays.copyOf(row.values(), Math.max(row.values().length, 0));
                }
                try {
                    values[i] = SchemaPolicy.convert(column.type(), value, column.name().name());
                } catch (NotConvertibleException e) {
                    throw new SQLDataException(e.getMessage() + " (the table's type; record " + row.partition() + "@"
                            + row.offset() + ")", DATA_EXCEPTION_STATE);
                }
            }
            if (values != null && conformed == null) {
                conformed = new ArrayList<>(rows.subList(0, r));
            }
            if (conformed != null) {
                conformed.add(values == null ? row
                        : new Row(values, row.deleted(), row.metadata(), row.partition(), row.offset()));
            }
        }
        if (sameColumns && conformed == null) {
            return batch;
        }
        return new Batch(batch.pipeline(), batch.topic(), tableColumns, batch.keyColumns(),
                conformed == null ? rows : conformed, batch.offsets(), batch.committedAtMillis());
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

    /** Where a write's time went, for the DEBUG per-commit timeline; formatted only when logged. */
    private static final class PhaseTimes {
        private final String[] phases = new String[5];
        private final long[] nanos = new long[5];
        private final long started = System.nanoTime();
        private int marked;

        void mark(String phase) {
            phases[marked] = phase;
            nanos[marked++] = System.nanoTime();
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            long last = started;
            for (int i = 0; i < marked; i++) {
                text.append(i == 0 ? "" : ", ").append(phases[i]).append(' ').append((nanos[i] - last) / 1_000_000).append(" ms");
                last = nanos[i];
            }
            return text.toString();
        }
    }
}
