package dev.orderpipeline.config;

import dev.orderpipeline.warehouse.SqlIdentifier;
import java.util.List;
import java.util.Optional;

/** The warehouse the loader writes to. Each dialect has its own record; the loader sees neither. */
public sealed interface SinkConfig {

    SqlIdentifier table();

    /** Upsert key columns; empty means append-only. */
    List<String> keyFields();

    enum Type { DUCKDB, SNOWFLAKE }

    record DuckDb(String path, SqlIdentifier schema, SqlIdentifier table, List<String> keyFields) implements SinkConfig {
    }

    record Snowflake(
            String url,
            String account,
            String user,
            Optional<SqlIdentifier> role,
            Optional<SqlIdentifier> warehouse,
            SqlIdentifier database,
            SqlIdentifier schema,
            SqlIdentifier table,
            List<String> keyFields,
            String privateKeyPem,
            Optional<String> privateKeyPassphrase) implements SinkConfig {

        @Override
        public String toString() {
            return "Snowflake[url=" + url + ", user=" + user + ", database=" + database + ", schema=" + schema
                    + ", table=" + table + ", privateKey=<redacted>]";
        }
    }

    static SinkConfig from(Environment env) {
        SqlIdentifier table = identifier(env, Setting.SINK_TABLE);
        List<String> keyFields = env.list(Setting.SINK_KEY_FIELDS);
        for (String field : keyFields) {
            if (!SqlIdentifier.isValid(field.replace('.', '_'))) {
                throw ConfigException.invalid(Setting.SINK_KEY_FIELDS, field,
                        "field names of letters, digits and _, nested as parent.child");
            }
        }
        Type type = env.choice(Setting.SINK_TYPE, Type.class);
        if (type == Type.DUCKDB) {
            return new DuckDb(env.required(Setting.DUCKDB_PATH), identifier(env, Setting.DUCKDB_SCHEMA), table,
                    keyFields);
        }
        String why = "when " + Setting.SINK_TYPE.envName() + "=snowflake";
        String account = env.required(Setting.SNOWFLAKE_ACCOUNT, why);
        if (!account.matches("[A-Za-z0-9_.-]+")) {
            throw ConfigException.invalid(Setting.SNOWFLAKE_ACCOUNT, account, "an account identifier such as myorg-myaccount");
        }
        String url = env.optional(Setting.SNOWFLAKE_URL)
                .orElse("jdbc:snowflake://" + account + ".snowflakecomputing.com");
        if (!url.startsWith("jdbc:snowflake://")) {
            throw ConfigException.invalid(Setting.SNOWFLAKE_URL, url, "a URL starting with jdbc:snowflake://");
        }
        return new Snowflake(url, account,
                env.required(Setting.SNOWFLAKE_USER, why),
                optionalIdentifier(env, Setting.SNOWFLAKE_ROLE),
                optionalIdentifier(env, Setting.SNOWFLAKE_WAREHOUSE),
                requiredIdentifier(env, Setting.SNOWFLAKE_DATABASE, why),
                requiredIdentifier(env, Setting.SNOWFLAKE_SCHEMA, why),
                table, keyFields,
                env.required(Setting.SNOWFLAKE_PRIVATE_KEY, why),
                env.optional(Setting.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE));
    }

    private static SqlIdentifier identifier(Environment env, Setting setting) {
        return toIdentifier(setting, env.required(setting));
    }

    private static SqlIdentifier requiredIdentifier(Environment env, Setting setting, String why) {
        return toIdentifier(setting, env.required(setting, why));
    }

    private static Optional<SqlIdentifier> optionalIdentifier(Environment env, Setting setting) {
        return env.optional(setting).map(v -> toIdentifier(setting, v));
    }

    private static SqlIdentifier toIdentifier(Setting setting, String value) {
        if (!SqlIdentifier.isValid(value)) {
            throw ConfigException.invalid(setting, value,
                    "a SQL identifier of letters, digits, _ and $, starting with a letter or _");
        }
        return SqlIdentifier.of(value);
    }
}
