package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded warehouse: rows reach the staging table through DuckDB's Appender. */
public final class DuckDbWarehouse extends JdbcWarehouse {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbWarehouse.class);
    private final String path;
    private final DuckDbSql duckSql;
    private final DuckDbSql.CheckpointThresholds checkpointThresholds;
    /**
     * Whether a statement deleted rows since the last checkpoint (a replaced or tombstoned row), so that the next
     * checkpoint vacuums. Counted when the statement runs: a batch rolled back afterwards only brings the next
     * checkpoint forward.
     */
    private boolean deletedSinceCheckpoint;
    /** Each staged row's RECORD_METADATA text, written here and appended as UTF-8 bytes. */
    private final StringBuilder metadataJson = new StringBuilder(256);

    public DuckDbWarehouse(String path, SqlIdentifier schema, SqlIdentifier table) {
        this(path, schema, table, StatementTimeouts.defaultTimeout());
    }

    /** Embedded, so no socket: the statement timeout is the driver's query timeout alone. */
    public DuckDbWarehouse(String path, SqlIdentifier schema, SqlIdentifier table, Duration statementTimeout) {
        this(path, new DuckDbSql(schema, table), statementTimeout);
    }

    private DuckDbWarehouse(String path, DuckDbSql sql, Duration statementTimeout) {
        this(path, sql, statementTimeout, DuckDbSql.CheckpointThresholds.DEFAULT);
    }

    /** With other WAL sizes before {@link #tidy} checkpoints (tests). */
    public DuckDbWarehouse(String path, SqlIdentifier schema, SqlIdentifier table, DuckDbSql.CheckpointThresholds checkpointThresholds) {
        this(path, new DuckDbSql(schema, table), StatementTimeouts.defaultTimeout(), checkpointThresholds);
    }

    private DuckDbWarehouse(String path, DuckDbSql sql, Duration statementTimeout, DuckDbSql.CheckpointThresholds checkpointThresholds) {
        super(sql, statementTimeout);
        this.path = path;
        this.duckSql = sql;
        this.checkpointThresholds = checkpointThresholds;
    }

    @Override
    protected Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path);
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

    @Override
    protected void stage(Connection connection, Batch batch) throws SQLException {
        List<Column> columns = batch.columns();
        try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class)
                .createAppender("temp", "main", WarehouseSql.STAGING_TABLE.name())) {
            for (Row row : batch.rows()) {
                appender.beginRow();
                for (int i = 0; i < columns.size(); i++) {
                    append(appender, columns.get(i).type(), row.value(i));
                }
                metadataJson.setLength(0);
                row.metadata().appendJson(metadataJson);
                appender.append(utf8(metadataJson));
                appender.append(row.deleted());
                appender.append((long) row.partition());
                appender.append(row.offset());
                long timestamp = row.metadata().timestamp();
                if (timestamp < 0) {
                    appender.appendNull();
                } else {
                    appender.append(timestamp);
                }
                appender.endRow();
            }
        }
    }

    /**
     * A tombstone keeps the row's last values: its DELETE returns them before the upsert's statements run. The
     * upsert's DELETEs say whether the WAL now holds deletions ({@link #tidy}).
     */
    @Override
    protected void writeStaged(Connection connection, Batch batch) throws SQLException {
        if (!batch.upsert()) {
            super.writeStaged(connection, batch);
            return;
        }
        int deleted = batch.hasTombstones() ? deleteTombstonedKeepingValues(connection, batch) : 0;
        try (Statement s = connection.createStatement()) {
            deleted += s.executeUpdate(duckSql.deleteReplaced(batch.keyColumns()));
            for (String statement : duckSql.insertUpserted(batch.columns(), batch.keyColumns(), batch.hasTombstones())) {
                s.execute(statement);
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

    private static void append(DuckDBAppender appender, ColumnType type, Object value) throws SQLException {
        if (value == null) {
            appender.appendNull();
            return;
        }
        switch (type) {
            case BIGINT -> appender.append((long) (Long) value);
            case DECIMAL -> appender.append((java.math.BigDecimal) value);
            case DOUBLE -> appender.append((double) (Double) value);
            case BOOLEAN -> appender.append((boolean) (Boolean) value);
            case VARCHAR, VARIANT -> appender.append((String) value);
            case TIMESTAMP -> appender.appendEpochMicros(epochMicros((java.time.Instant) value));
            case TIMESTAMP_LOCAL -> appender.append((java.time.LocalDateTime) value);
            case DATE -> appender.append((java.time.LocalDate) value);
            case TIME -> appender.append((java.time.LocalTime) value);
        }
    }

    /**
     * The text as UTF-8, in one array of its exact length: the Appender takes a VARCHAR's bytes as they are, where
     * a String would cost one copy to build and another that the Appender encodes.
     */
    private static byte[] utf8(CharSequence text) {
        int length = text.length();
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            char ch = text.charAt(i);
            if (ch >= 0x80) {
                return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            bytes[i] = (byte) ch;
        }
        return bytes;
    }

    /** The instant's microseconds since the epoch: exact, its value holds no finer digits (SchemaPolicy). */
    private static long epochMicros(java.time.Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }
}
