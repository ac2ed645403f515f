package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.PrivateKeys;
import dev.orderpipeline.config.SinkConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** Opens Snowflake sessions the one way this product does: key-pair auth and a query tag naming who asks. */
public final class SnowflakeSessions {
    private static final Duration NETWORK_MARGIN = Duration.ofSeconds(60);
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(60);

    private SnowflakeSessions() {
    }

    /**
     * {@code queryTag} shows in Snowflake's query history, e.g. {@code orderpipeline:<pipeline>}. No
     * statement timeout: the replicator's snapshot queries may rightly run long.
     */
    public static Connection open(SinkConfig.Snowflake config, String queryTag) throws SQLException {
        return DriverManager.getConnection(config.url(), properties(config, queryTag));
    }

    /**
     * With snowflake-jdbc's timeouts: {@code queryTimeout} cancels a statement (a lock wait included)
     * after {@code statementTimeout}; {@code networkTimeout}, a little longer, fails a request the
     * service never answers; {@code loginTimeout} bounds the connect.
     */
    public static Connection open(SinkConfig.Snowflake config, String queryTag, Duration statementTimeout) throws SQLException {
        Properties props = properties(config, queryTag);
        props.put("queryTimeout", Integer.toString(StatementTimeouts.seconds(statementTimeout)));
        props.put("networkTimeout", Long.toString(statementTimeout.plus(NETWORK_MARGIN).toMillis()));
        props.put("loginTimeout", Long.toString(LOGIN_TIMEOUT.toSeconds()));
        return DriverManager.getConnection(config.url(), props);
    }

    private static Properties properties(SinkConfig.Snowflake config, String queryTag) {
        Properties props = new Properties();
        props.put("account", config.account());
        props.put("user", config.user());
        props.put("authenticator", "SNOWFLAKE_JWT");
        props.put("privateKey", PrivateKeys.fromPem(config.privateKeyPem(), config.privateKeyPassphrase()));
        props.put("db", config.database().name());
        props.put("schema", config.schema().name());
        config.role().ifPresent(r -> props.put("role", r.name()));
        config.warehouse().ifPresent(w -> props.put("warehouse", w.name()));
        props.put("query_tag", queryTag);
        props.put("application", "OrderPipelineOperator");
        return props;
    }
}
