package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SinkConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens Snowflake sessions the one way this product does: key-pair auth and a query tag naming who asks. */
public final class SnowflakeSessions {
    private SnowflakeSessions() {
    }

    /** {@code queryTag} shows in Snowflake's query history, e.g. {@code orderpipeline:<pipeline>}. */
    public static Connection open(SinkConfig.Snowflake config, String queryTag) throws SQLException {
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
        return DriverManager.getConnection(config.url(), props);
    }
}
