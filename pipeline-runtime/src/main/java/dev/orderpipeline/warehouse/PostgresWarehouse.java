package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SinkConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLDataException;
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
 * Kafka-to-PostgreSQL sinks. Rows reach the TEMP staging table with {@code COPY … FROM STDIN}
 * (text format, streamed in 64 KiB chunks), then the shared MERGE or INSERT moves them into the
 * target in the same transaction as the offsets' compare-and-set. In upsert mode a unique index on
 * the key columns is created after the first commit, so that a MERGE looks keys up instead of
 * joining the whole table.
 */
public final class PostgresWarehouse extends JdbcWarehouse {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresWarehouse.class);
    private static final int CHUNK = 64 << 10;
    private static final Duration MIN_SOCKET_MARGIN = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private final SinkConfig.Postgres config;
    private final String pipeline;
    private final PostgresSql pgSql;
    private boolean keyIndexChecked;

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
        Properties props = new Properties();
        props.put("user", config.user());
        props.put("password", config.password());
        props.put("sslmode", config.sslmode());
        config.sslRootCertFile().ifPresent(file -> props.put("sslrootcert", file));
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
        return DriverManager.getConnection(config.jdbcUrl(), props);
    }

    @Override
    public void write(Batch batch) throws SQLException {
        super.write(batch);
        if (batch.upsert() && !keyIndexChecked && !batch.rows().isEmpty()) { // no rows yet: the key column may not exist
            ensureKeyIndex(batch.keyColumns());
        }
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
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(pgSql.copyIntoStaging(columns));
        try {
            StringBuilder line = new StringBuilder(256);
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK + 4096);
            for (Row row : batch.rows()) {
                line.setLength(0);
                for (int i = 0; i < columns.size(); i++) {
                    Object value = row.value(i);
                    requireNoNul(value, columns.get(i).name().name());
                    appendValue(line, value);
                    line.append('\t');
                }
                String metadata = row.recordMetadataJson();
                requireNoNul(metadata, MetadataColumns.RECORD_METADATA.name());
                appendValue(line, metadata);
                long timestamp = row.metadata().timestamp();
                line.append('\t').append(row.deleted() ? 't' : 'f')
                        .append('\t').append(row.partition())
                        .append('\t').append(row.offset())
                        .append('\t');
                if (timestamp < 0) {
                    line.append("\\N");
                } else {
                    line.append(timestamp);
                }
                line.append('\n');
                byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                chunk.write(bytes, 0, bytes.length);
                if (chunk.size() >= CHUNK) {
                    copy.writeToCopy(chunk.toByteArray(), 0, chunk.size());
                    chunk.reset();
                }
            }
            if (chunk.size() > 0) {
                copy.writeToCopy(chunk.toByteArray(), 0, chunk.size());
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /**
     * PostgreSQL's text types cannot hold U+0000 at all (JSONB refuses it too). Refused here, by row and
     * column, with SQLState 22P05 (untranslatable character): a data error, so the loader isolates the
     * row and dead-letters it instead of retrying the batch. Replacing the character would change the
     * value silently.
     */
    private static void requireNoNul(Object value, String column) throws SQLDataException {
        if (value instanceof String s && s.indexOf('\0') >= 0) {
            throw new SQLDataException("column " + column + ": PostgreSQL cannot store the character U+0000 (NUL) in text; "
                    + "the record goes to the dead-letter topic", "22P05");
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
