package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded warehouse: rows reach the table through DuckDB's Appender ({@link DuckDbRowAppender}). */
public final class DuckDbWarehouse extends JdbcWarehouse {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbWarehouse.class);
    private final String path;
    private final DuckDbSql duckSql;
    private final DuckDbSql.CheckpointThresholds checkpointThresholds;
    /** DuckDB's {@code memory_limit} from OPL_DUCKDB_MEMORY_LIMIT; empty for {@link DuckDbMemoryLimit}'s default. */
    private final Optional<String> memoryLimit;
    /**
     * Whether a statement deleted rows since the last checkpoint (a replaced or tombstoned row), so that the next
     * checkpoint vacuums. Counted when the statement runs: a batch rolled back afterwards only brings the next
     * checkpoint forward.
     */
    private boolean deletedSinceCheckpoint;
    private final DuckDbRowAppender rowAppender;
    /** How this transaction's rows go straight into the target ({@link #stage}); null when they are staged. */
    private DuckDbRowAppender.StraightIn straightIn;
    /** Why the last batch's rows were staged, logged when it changes; null while rows go straight in. */
    private String stagedBecause;

    public DuckDbWarehouse(String path, SqlIdentifier schema, SqlIdentifier table) {
        this(path, schema, table, StatementTimeouts.defaultTimeout());
    }

    /** Embedded, so no socket: the statement timeout is the driver's query timeout alone. */
    public DuckDbWarehouse(String path, SqlIdentifier schema, SqlIdentifier table, Duration statementTimeout) {
        this(path, schema, table, statementTimeout, Optional.empty());
    }

    /** With DuckDB's {@code memory_limit} as OPL_DUCKDB_MEMORY_LIMIT sets it (empty: what the JVM leaves it). */
    public DuckDbWarehouse(String path, SqlIdentifier schema, SqlIdentifier table, Duration statementTimeout, Optional<String> memoryLimit) {
        this(path, new DuckDbSql(schema, table), statementTimeout, DuckDbSql.CheckpointThresholds.DEFAULT, memoryLimit);
    }

    /** With other WAL sizes before {@link #tidy} checkpoints (tests). */
    public DuckDbWarehouse(String path, SqlIdentifier schema, SqlIdentifier table, DuckDbSql.CheckpointThresholds checkpointThresholds) {
        this(path, new DuckDbSql(schema, table), StatementTimeouts.defaultTimeout(), checkpointThresholds, Optional.empty());
    }

    private DuckDbWarehouse(String path, DuckDbSql sql, Duration statementTimeout, DuckDbSql.CheckpointThresholds checkpointThresholds,
            Optional<String> memoryLimit) {
        super(sql, statementTimeout);
        this.path = path;
        this.duckSql = sql;
        this.checkpointThresholds = checkpointThresholds;
        this.memoryLimit = memoryLimit;
        this.rowAppender = new DuckDbRowAppender(sql);
    }

    @Override
    protected Connection connect() throws SQLException {
        Connection connection = DuckDbSessions.open(path, new Properties(), memoryLimit);
        try (Statement s = connection.createStatement()) {
            for (String setting : duckSql.tuneCheckpoints()) {
                s.execute(setting);
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /**
     * Checkpoints once the WAL has grown past its threshold, the smaller one when it holds deletions
     * ({@link DuckDbSql.CheckpointThresholds}; an in-memory database has no WAL).
     */
    @Override
    public void tidy() throws SQLException {
        long size = walBytes();
        if (size >= checkpointThresholds.walBytes(deletedSinceCheckpoint)) {
            long started = System.nanoTime();
            Connection connection = connection();
            connection.setAutoCommit(true);
            try (Statement s = connection.createStatement()) {
                s.execute(duckSql.checkpoint());
            }
            deletedSinceCheckpoint = false;
            LOG.debug("checkpoint of {} MiB of WAL: {} ms", size >> 20, (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Override
    public boolean tidyDue() {
        return walBytes() >= checkpointThresholds.walBytes(deletedSinceCheckpoint);
    }

    /** The WAL's size; 0 when there is none or it cannot be read (no checkpoint is asked for then). */
    private long walBytes() {
        Path wal = Path.of(path + ".wal");
        try {
            return Files.exists(wal) ? Files.size(wal) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Upsert rows that are not tombstones, and every row of an append, go straight into the target through the
     * Appender when the table allows it ({@link DuckDbRowAppender#writePath}): the keys table then holds the
     * batch's keys, which say which rows the new versions replace, and the staging table only the tombstones, whose
     * statements need their metadata. Otherwise every row is staged and inserted by SQL.
     */
    @Override
    protected void stage(Connection connection, Batch batch) throws SQLException {
        DuckDbRowAppender.WritePath path = rowAppender.writePath(connection, batch.columns());
        report(path);
        straightIn = path instanceof DuckDbRowAppender.StraightIn in ? in : null;
        if (straightIn == null) {
            rowAppender.appendToStaging(connection, batch, row -> true);
        } else if (batch.upsert()) {
            try (Statement s = connection.createStatement()) {
                s.execute(duckSql.createKeysTable(batch.keys()));
            }
            rowAppender.appendKeys(connection, batch);
            if (batch.hasTombstones()) {
                rowAppender.appendToStaging(connection, batch, Row::deleted);
            }
        }
    }

    /** Says once, and again when it changes, that a table's rows take the slower way through staging, and why. */
    private void report(DuckDbRowAppender.WritePath path) {
        String reason = path instanceof DuckDbRowAppender.Staged staged ? staged.reason() : null;
        if (Objects.equals(reason, stagedBecause)) {
            return;
        }
        if (reason == null) {
            LOG.info("rows go straight into {}.{} again", duckSql.schema().quoted(), duckSql.table().quoted());
        } else {
            LOG.info("rows go into {}.{} through the staging table and INSERT … SELECT, slower than straight in: {}",
                    duckSql.schema().quoted(), duckSql.table().quoted(), reason);
        }
        stagedBecause = reason;
    }

    /**
     * A tombstone keeps the row's last values: its DELETE returns them before the upsert's statements run. The
     * upsert's DELETEs say whether the WAL now holds deletions ({@link #tidy}). Rows go straight into the target
     * after the DELETEs, which would otherwise find them.
     */
    @Override
    protected void writeStaged(Connection connection, Batch batch) throws SQLException {
        DuckDbRowAppender.StraightIn order = batch.rows().isEmpty() ? null : straightIn;
        straightIn = null;
        if (!batch.upsert()) {
            if (order == null) {
                super.writeStaged(connection, batch);
            } else {
                rowAppender.appendToTarget(connection, order, batch.rows(), row -> true);
            }
            return;
        }
        int deleted = batch.hasTombstones() ? deleteTombstonedKeepingValues(connection, batch) : 0;
        try (Statement s = connection.createStatement()) {
            if (order == null) {
                deleted += s.executeUpdate(duckSql.deleteReplaced(batch.keyColumns()));
                for (String statement : duckSql.insertUpserted(batch.columns(), batch.keyColumns(), batch.hasTombstones())) {
                    s.execute(statement);
                }
            } else {
                deleted += s.executeUpdate(duckSql.deleteReplacedByKeys(batch.keyColumns()));
                rowAppender.appendToTarget(connection, order, batch.rows(), row -> !row.deleted());
                if (batch.hasTombstones()) {
                    s.execute(duckSql.insertTombstoned(batch.columns(), batch.keyColumns()));
                }
            }
        }
        deletedSinceCheckpoint |= deleted > 0;
    }

    /** Returns how many rows the tombstones deleted. */
    private int deleteTombstonedKeepingValues(Connection connection, Batch batch) throws SQLException {
        List<Column> columns = batch.columns();
        try (Statement s = connection.createStatement()) {
            s.execute(duckSql.createTombstoned(columns));
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet deleted = s.executeQuery(duckSql.deleteTombstonedReturning(columns, batch.keyColumns()))) {
                while (deleted.next()) {
                    List<String> values = new ArrayList<>(columns.size());
                    for (int i = 1; i <= columns.size(); i++) {
                        values.add(deleted.getString(i));
                    }
                    rows.add(values);
                }
            }
            for (int from = 0; from < rows.size(); from += DuckDbSql.TOMBSTONED_ROWS_PER_STATEMENT) {
                s.execute(duckSql.keepTombstoned(
                        rows.subList(from, Math.min(rows.size(), from + DuckDbSql.TOMBSTONED_ROWS_PER_STATEMENT))));
            }
            return rows.size();
        }
    }
}
