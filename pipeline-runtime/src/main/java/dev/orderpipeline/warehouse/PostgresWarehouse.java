package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.MetadataColumns;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL (15 or later) through pgjdbc, so that the loader can be compared with other
 * Kafka-to-PostgreSQL sinks. Rows reach the TEMP staging table with {@code COPY … FROM STDIN} in
 * binary format from one reused buffer ({@link PgBinaryCopy}), then an upsert or INSERT moves them into
 * the target in the same transaction as the offsets' compare-and-set. In upsert mode a unique index on
 * the key columns is created after the first commit; from then on the upsert is {@code INSERT … ON
 * CONFLICT} (PostgresSql), before it the shared MERGE.
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
        try {
            super.write(batch);
        } catch (SQLException e) {
            if (!keyIndexLost(e)) {
                throw e;
            }
            super.write(batch); // rolled back whole: again, with the MERGE that needs no index
        }
        if (batch.upsert() && !keyIndexChecked && !batch.rows().isEmpty()) { // no rows yet: the key column may not exist
            ensureKeyIndex(batch.keyColumns());
        }
    }

    @Override
    public void trial(Batch batch) throws SQLException {
        try {
            super.trial(batch);
        } catch (SQLException e) {
            if (!keyIndexLost(e)) {
                throw e;
            }
            super.trial(batch);
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

    @Override
    protected void stage(Connection connection, Batch batch) throws SQLException {
        List<Column> columns = batch.columns();
        int fields = columns.size() + WarehouseSql.STAGED_METADATA_COLUMNS;
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(pgSql.copyIntoStaging(columns));
        try {
            binary.begin(copy);
            for (Row row : batch.rows()) {
                binary.beginRow(fields);
                for (int i = 0; i < columns.size(); i++) {
                    writeValue(columns.get(i), row.value(i));
                }
                metadataJson.setLength(0);
                row.metadata().appendJson(metadataJson);
                binary.writeText(metadataJson, MetadataColumns.RECORD_METADATA.name());
                binary.writeBoolean(row.deleted());
                binary.writeLong(row.partition());
                binary.writeLong(row.offset());
                long timestamp = row.metadata().timestamp();
                if (timestamp < 0) {
                    binary.writeNull();
                } else {
                    binary.writeLong(timestamp);
                }
            }
            binary.end();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** A value already in its column's Java type (JdbcWarehouse conformed it), as the staging table stages that type. */
    private void writeValue(Column column, Object value) throws SQLException {
        if (value == null) {
            binary.writeNull();
            return;
        }
        switch (column.type()) {
            case BIGINT -> binary.writeLong((Long) value);
            case DOUBLE -> binary.writeDouble((Double) value);
            case BOOLEAN -> binary.writeBoolean((Boolean) value);
            default -> binary.writeText(value instanceof java.math.BigDecimal d ? d.toPlainString() : value.toString(),
                    column.name().name());
        }
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
