package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.schema.ColumnType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.List;

/**
 * Snowflake through the official JDBC driver, with key-pair authentication and a query tag naming
 * the pipeline. Rows are staged with one batched INSERT: the driver sends the whole batch as array
 * binds (and, past its threshold, uploads them to a temporary stage), never a round trip per row.
 */
public final class SnowflakeWarehouse extends JdbcWarehouse {
    private final SinkConfig.Snowflake config;
    private final String pipeline;

    public SnowflakeWarehouse(SinkConfig.Snowflake config, String pipeline) {
        this(config, pipeline, StatementTimeouts.defaultTimeout());
    }

    public SnowflakeWarehouse(SinkConfig.Snowflake config, String pipeline, Duration statementTimeout) {
        super(new SnowflakeSql(config.database(), config.schema(), config.table()), statementTimeout);
        this.config = config;
        this.pipeline = pipeline;
    }

    @Override
    protected Connection connect() throws SQLException {
        return SnowflakeSessions.open(config, "orderpipeline:" + pipeline, statementTimeout);
    }

    @Override
    protected void stage(Connection connection, Batch batch) throws SQLException {
        List<Column> columns = batch.columns();
        try (PreparedStatement insert = connection.prepareStatement(sql.insertStaging(columns))) {
            for (Row row : batch.rows()) {
                int i = 0;
                for (; i < columns.size(); i++) {
                    bind(insert, i + 1, columns.get(i).type(), row.value(i));
                }
                insert.setString(i + 1, row.recordMetadataJson());
                insert.setBoolean(i + 2, row.deleted());
                insert.setLong(i + 3, row.partition());
                insert.setLong(i + 4, row.offset());
                long timestamp = row.metadata().timestamp();
                if (timestamp < 0) {
                    insert.setNull(i + 5, Types.BIGINT);
                } else {
                    insert.setLong(i + 5, timestamp);
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void bind(PreparedStatement statement, int index, ColumnType type, Object value) throws SQLException {
        switch (type) {
            case BIGINT -> {
                if (value == null) statement.setNull(index, Types.BIGINT); else statement.setLong(index, (Long) value);
            }
            case DECIMAL -> {
                if (value == null) statement.setNull(index, Types.DECIMAL); else statement.setBigDecimal(index, (java.math.BigDecimal) value);
            }
            case DOUBLE -> {
                if (value == null) statement.setNull(index, Types.DOUBLE); else statement.setDouble(index, (Double) value);
            }
            case BOOLEAN -> {
                if (value == null) statement.setNull(index, Types.BOOLEAN); else statement.setBoolean(index, (Boolean) value);
            }
            case VARCHAR, VARIANT -> {
                if (value == null) statement.setNull(index, Types.VARCHAR); else statement.setString(index, (String) value);
            }
            case TIMESTAMP, TIMESTAMP_LOCAL, DATE, TIME -> { // staged as text, converted by SnowflakeSql
                if (value == null) statement.setNull(index, Types.VARCHAR); else statement.setString(index, SnowflakeSql.temporalText(value));
            }
        }
    }
}
