package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL (15 or later) through pgjdbc, so that the loader can be compared with other
 * Kafka-to-PostgreSQL sinks. Everything happens in the same transaction as the offsets' compare-and-set,
 * with {@code COPY … FROM STDIN} in binary format from one reused buffer ({@link PgBinaryCopy}). Rows that
 * need no upsert (an append's, and new keys) go straight into the target; the rest reach the TEMP staging
 * table and an upsert moves them. In upsert mode a unique index on the key columns is created after the
 * first commit; from then on the upsert is {@code INSERT … ON CONFLICT} (PostgresSql), before it the shared
 * MERGE, and only with the index are new keys told apart from held ones.
 */
public final class PostgresWarehouse extends JdbcWarehouse {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresWarehouse.class);
    private static final Duration MIN_SOCKET_MARGIN = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private final SinkConfig.Postgres config;
    private final String pipeline;
    private final PostgresSql pgSql;
    private boolean keyIndexChecked;
    /** The staging COPY's buffer, kept between batches. */
    private final PgBinaryCopy binary = new PgBinaryCopy();
    /** Each staged row's RECORD_METADATA text, written here and then into {@link #binary}. */
    private final StringBuilder metadataJson = new StringBuilder(256);

    public PostgresWarehouse(SinkConfig.Postgres config, String pipeline) {
        this(config, pipeline, StatementTimeouts.defaultTimeout());
    }

    public PostgresWarehouse(SinkConfig.Postgres config, String pipeline, Duration statementTimeout) {
        this(config, pipeline, new PostgresSql(config.table()), statementTimeout);
    }

    private PostgresWarehouse(SinkConfig.Postgres config, String pipeline, PostgresSql sql, Duration statementTimeout) {
        super(sql, statementTimeout);
        this.config = config;
        this.pipeline = pipeline;
        this.pgSql = sql;
    }

    @Override
    protected Connection connect() throws SQLException {
        Properties props = config.connection().properties();
        props.put("currentSchema", config.schema());
        props.put("ApplicationName", "orderpipeline:" + pipeline);
        // The server cancels a statement (a lock wait included) after the timeout, COPY too; the socket
        // timeout, a little longer, catches a server or network that stops answering altogether.
        props.put("options", "-c statement_timeout=" + statementTimeout.toMillis());
        Duration margin = statementTimeout.dividedBy(2).compareTo(MIN_SOCKET_MARGIN) > 0 ? statementTimeout.dividedBy(2) : MIN_SOCKET_MARGIN;
        props.put("socketTimeout", Integer.toString(StatementTimeouts.seconds(statementTimeout.plus(margin))));
        props.put("connectTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
        props.put("loginTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
        props.put("tcpKeepAlive", "true");
        return DriverManager.getConnection(config.connection().jdbcUrl(), props);
    }

    @Override
    protected boolean keyIsUnique() {
        return keyIndexChecked;
    }

    @Override
    public void write(Batch batch) throws SQLException {
        retryingOnce(() -> super.write(batch));
        if (batch.upsert() && !keyIndexChecked && !batch.rows().isEmpty()) { // no rows yet: the key column may not exist
            ensureKeyIndex(batch.keyColumns());
        }
    }

    @Override
    public void trial(Batch batch) throws SQLException {
        retryingOnce(() -> super.trial(batch));
    }

    private interface Transaction {
        void run() throws SQLException;
    }

    /** The write rolled back whole when it failed; once more when the failure was not the data's fault (below). */
    private void retryingOnce(Transaction transaction) throws SQLException {
        try {
            transaction.run();
        } catch (SQLException e) {
            if (!keyIndexLost(e) && !keyInsertedMeanwhile(e)) {
                throw e;
            }
            transaction.run();
        }
    }

    /**
     * ON CONFLICT found no unique index on the key (42P10: someone dropped it since): not the data's fault, so
     * not for poison isolation. Forgets the index (created again after the next commit) and says to retry.
     */
    private boolean keyIndexLost(SQLException e) {
        if (keyIndexChecked && "42P10".equals(e.getSQLState())) {
            LOG.warn("the unique index on the key columns of {} is gone; upserting with MERGE until it is created again", config.table());
            keyIndexChecked = false;
            return true;
        }
        return false;
    }

    /**
     * The key index refused a row that COPY wrote straight into the target (23505): another writer committed its
     * key after this batch looked it up. Not the data's fault; again, the lookup now finds the key and upserts it.
     */
    private boolean keyInsertedMeanwhile(SQLException e) {
        return "23505".equals(e.getSQLState()) && e instanceof PSQLException p && p.getServerErrorMessage() != null
                && pgSql.keyIndexName().name().equals(p.getServerErrorMessage().getConstraint());
    }

    /** After a commit (the key columns exist by then); a failure here must not fail the committed batch. */
    private void ensureKeyIndex(List<SqlIdentifier> keys) {
        try {
            Connection c = connection();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute(pgSql.createKeyIndex(keys));
            }
            keyIndexChecked = true;
        } catch (SQLException e) {
            // Another loader creating it at the same moment, or duplicate keys from an append-only past:
            // the MERGE stays correct without the index, only slower. Tried again after the next batch.
            LOG.warn("cannot create the unique index on the key columns {} of {}: {}", keys, config.table(), e.getMessage());
        }
    }

    /**
     * Rows that need no upsert go straight into the target with one binary COPY: every row of an append, and in
     * an upsert the rows whose keys the table does not hold yet (looked up in its unique index). Only the rest
     * (updates and tombstones) are staged for {@code INSERT … ON CONFLICT}: a stream of new orders is written
     * once instead of twice (BENCH.md, "New keys straight into the table"). Without the index (before the first
     * commit, or refused) every upsert row is staged, for the MERGE.
     */
    @Override
    protected void stage(Connection connection, Batch batch) throws SQLException {
        List<Row> rows = batch.rows();
        BitSet direct = rowsWithoutUpsert(connection, batch);
        if (!direct.isEmpty()) {
            copyIntoTarget(connection, batch, direct);
        }
        if (direct.cardinality() < rows.size()) {
            BitSet staged = (BitSet) direct.clone();
            staged.flip(0, rows.size());
            copyIntoStaging(connection, batch, staged);
        }
    }

    private BitSet rowsWithoutUpsert(Connection connection, Batch batch) throws SQLException {
        List<Row> rows = batch.rows();
        BitSet direct = new BitSet(rows.size());
        if (!batch.upsert()) {
            if (targetTakesBinary(connection, batch.columns())) {
                direct.set(0, rows.size());
            }
            return direct;
        }
        if (!keyIndexChecked || !targetTakesBinary(connection, batch.columns())) {
            return direct;
        }
        for (int r = 0; r < rows.size(); r++) {
            if (!rows.get(r).deleted()) {
                direct.set(r);
            }
        }
        if (direct.isEmpty()) {
            return direct; // tombstones only: nothing to look up
        }
        List<Column> columns = batch.columns();
        List<Column> keys = batch.keys();
        int[] keyIndexes = batch.keyIndexes();
        try (PreparedStatement lookup = connection.prepareStatement(pgSql.keysHeld(keys))) {
            for (int k = 0; k < keys.size(); k++) {
                int column = keyIndexes[k];
                if (keys.get(k).type() == ColumnType.BIGINT) {
                    // Sent in binary. A NULL key never conflicts: any placeholder will do, since a row wrongly
                    // taken for held is only staged and upserted, which inserts it all the same.
                    long[] values = new long[rows.size()];
                    for (int r = 0; r < rows.size(); r++) {
                        values[r] = rows.get(r).value(column) instanceof Long value ? value : Long.MIN_VALUE;
                    }
                    lookup.setObject(k + 1, values);
                } else {
                    String[] values = new String[rows.size()];
                    for (int r = 0; r < rows.size(); r++) {
                        Object value = rows.get(r).value(column);
                        values[r] = value == null ? null : stagedText(value);
                    }
                    lookup.setArray(k + 1, connection.createArrayOf("text", values));
                }
            }
            try (ResultSet held = lookup.executeQuery()) {
                while (held.next()) {
                    direct.clear((int) held.getLong(1) - 1);
                }
            }
        }
        return direct;
    }

    /**
     * Whether each column COPY would write straight into the target has exactly the type whose binary format it
     * sends: another loader may have widened one since this one read the table, and a value in the wrong binary
     * format is not refused but misread. When not, the rows are staged, and the upsert's casts convert them. The
     * query locks the table against any ALTER until the transaction ends, so the answer holds for the COPY.
     */
    private boolean targetTakesBinary(Connection connection, List<Column> columns) throws SQLException {
        Map<String, String> types = new HashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql.describeTarget())) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                types.put(md.getColumnName(i), md.getColumnTypeName(i));
            }
        }
        return columns.stream().allMatch(c -> PostgresSql.catalogTypeName(c.type()).equals(types.get(c.name().name())))
                && PostgresSql.METADATA_CATALOG_TYPES.entrySet().stream()
                        .allMatch(e -> e.getValue().equals(types.get(e.getKey().name())));
    }

    private void copyIntoTarget(Connection connection, Batch batch, BitSet selected) throws SQLException {
        long loadedAt;
        try (Statement s = connection.createStatement(); ResultSet clock = s.executeQuery(pgSql.selectCurrentTimestamp())) {
            clock.next();
            loadedAt = PgBinaryCopy.timestampMicros(clock.getObject(1, LocalDateTime.class));
        }
        List<Column> columns = batch.columns();
        copy(connection, pgSql.copyIntoTarget(columns), batch.rows(), selected, columns.size() + MetadataColumns.ALL.size(), row -> {
            for (int i = 0; i < columns.size(); i++) {
                writeTargetValue(columns.get(i), row.value(i));
            }
            binary.writeJsonb(metadataJson(row), MetadataColumns.RECORD_METADATA.name());
            binary.writeBoolean(row.deleted());
            binary.writeLong(loadedAt); // a timestamp's binary value
            writeKafkaCoordinates(row, false);
        });
    }

    private void copyIntoStaging(Connection connection, Batch batch, BitSet selected) throws SQLException {
        List<Column> columns = batch.columns();
        copy(connection, pgSql.copyIntoStaging(columns), batch.rows(), selected, columns.size() + WarehouseSql.STAGED_METADATA_COLUMNS, row -> {
            for (int i = 0; i < columns.size(); i++) {
                writeStagedValue(columns.get(i), row.value(i));
            }
            binary.writeText(metadataJson(row), MetadataColumns.RECORD_METADATA.name());
            binary.writeBoolean(row.deleted());
            writeKafkaCoordinates(row, true);
        });
    }

    /**
     * The record's partition, offset and timestamp (NULL when it has none): the timestamp as epoch milliseconds
     * when {@code staged} (the upsert converts it), else as the target's TIMESTAMP.
     */
    private void writeKafkaCoordinates(Row row, boolean staged) throws SQLException {
        binary.writeLong(row.partition());
        binary.writeLong(row.offset());
        long timestamp = row.metadata().timestamp();
        if (timestamp < 0) {
            binary.writeNull();
        } else if (staged) {
            binary.writeLong(timestamp);
        } else {
            binary.writeTimestampFromEpochMillis(timestamp, MetadataColumns.KAFKA_TIMESTAMP.name());
        }
    }

    private interface RowWriter {
        void write(Row row) throws SQLException;
    }

    /** One binary COPY of the selected rows, each of {@code fields} fields written by {@code writer}. */
    private void copy(Connection connection, String copySql, List<Row> rows, BitSet selected, int fields, RowWriter writer)
            throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            binary.begin(copy);
            for (int r = selected.nextSetBit(0); r >= 0; r = selected.nextSetBit(r + 1)) {
                binary.beginRow(fields);
                writer.write(rows.get(r));
            }
            binary.end();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** The row's RECORD_METADATA text, in the one reused buffer. */
    private CharSequence metadataJson(Row row) {
        metadataJson.setLength(0);
        row.metadata().appendJson(metadataJson);
        return metadataJson;
    }

    /** A value already in its column's Java type (JdbcWarehouse conformed it), in the target column's own binary format. */
    private void writeTargetValue(Column column, Object value) throws SQLException {
        if (value == null) {
            binary.writeNull();
            return;
        }
        String name = column.name().name();
        switch (column.type()) {
            case BIGINT -> binary.writeLong((Long) value);
            case DOUBLE -> binary.writeDouble((Double) value);
            case BOOLEAN -> binary.writeBoolean((Boolean) value);
            case DECIMAL -> binary.writeNumeric((BigDecimal) value);
            case VARCHAR -> binary.writeText((String) value, name);
            case VARIANT -> binary.writeJsonb((String) value, name);
            case TIMESTAMP -> binary.writeTimestamp((Instant) value);
            case TIMESTAMP_LOCAL -> binary.writeTimestamp((LocalDateTime) value);
            case DATE -> binary.writeDate((LocalDate) value);
            case TIME -> binary.writeTime((LocalTime) value);
        }
    }

    /** A value as the staging table stages its type: see {@link PostgresSql#stagedNatively}. */
    private void writeStagedValue(Column column, Object value) throws SQLException {
        if (value == null) {
            binary.writeNull();
            return;
        }
        switch (column.type()) {
            case BIGINT -> binary.writeLong((Long) value);
            case DOUBLE -> binary.writeDouble((Double) value);
            case BOOLEAN -> binary.writeBoolean((Boolean) value);
            default -> binary.writeText(stagedText(value), column.name().name());
        }
    }

    /** A value's exact text, which PostgreSQL casts back to the column's type. */
    private static String stagedText(Object value) {
        return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
    }

    /** One value in COPY's text format: {@code \N} for NULL, backslash escapes for the delimiters. */
    public static void appendValue(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        if (value instanceof Boolean b) {
            out.append(b ? 't' : 'f');
            return;
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                out.append(d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            } else {
                out.append(d.doubleValue());
            }
            return;
        }
        if (value instanceof Long || value instanceof Integer) {
            out.append(value);
            return;
        }
        if (value instanceof java.math.BigDecimal d) {
            out.append(d.toPlainString());
            return;
        }
        String s = value.toString();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
    }

    @Override
    public void close() {
        super.close();
        keyIndexChecked = false;
    }
}
