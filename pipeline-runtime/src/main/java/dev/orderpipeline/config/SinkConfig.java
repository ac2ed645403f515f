package dev.orderpipeline.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The warehouse the loader writes to. Each dialect has its own record; the loader sees neither. */
public sealed interface SinkConfig {

    SqlIdentifier table();

    /** Upsert key columns; empty means append-only. */
    List<String> keyFields();

    /** The dialect, as {@code OPL_SINK_TYPE} and the metrics' {@code sink} tag name it. */
    Type type();

    enum Type {
        DUCKDB, SNOWFLAKE, POSTGRES;

        /** Lower case, as users write it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code memoryLimit}: DuckDB's {@code memory_limit} as the user wrote it; empty for the runtime's default. */
    record DuckDb(String path, SqlIdentifier schema, SqlIdentifier table, List<String> keyFields, Optional<String> memoryLimit)
            implements SinkConfig {

        public DuckDb(String path, SqlIdentifier schema, SqlIdentifier table, List<String> keyFields) {
            this(path, schema, table, keyFields, Optional.empty());
        }

        @Override
        public Type type() {
            return Type.DUCKDB;
        }
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
        public Type type() {
            return Type.SNOWFLAKE;
        }

        @Override
        public String toString() {
            return "Snowflake[url=" + url + ", user=" + user + ", database=" + database + ", schema=" + schema
                    + ", table=" + table + ", privateKey=<redacted>]";
        }
    }

    /**
     * PostgreSQL 15 or later (the upsert is a MERGE). The connection reuses the replicator's
     * {@code OPL_POSTGRES_*} variables; the table is {@code OPL_SINK_TABLE} like every sink's
     * (upper case and quoted, as the loader names every table), in {@code OPL_POSTGRES_SCHEMA}.
     */
    record Postgres(PostgresConnection connection, String schema, SqlIdentifier table, List<String> keyFields)
            implements SinkConfig {

        @Override
        public Type type() {
            return Type.POSTGRES;
        }

        @Override
        public String toString() {
            return "Postgres[" + connection + ", table=" + schema + "." + table + "]";
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
                    keyFields, env.optional(Setting.DUCKDB_MEMORY_LIMIT).map(SinkConfig::duckDbSize));
        }
        if (type == Type.POSTGRES) {
            return postgres(env, table, keyFields);
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
                usableKey(env.required(Setting.SNOWFLAKE_PRIVATE_KEY, why), env.optional(Setting.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE)),
                env.optional(Setting.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE));
    }

    /**
     * The key is read here, at start-up, not at the first connection: a key that cannot be used is a
     * configuration error (the process exits and its pod crash-loops, saying which setting to fix), not a
     * warehouse outage retried forever. The message never quotes the key nor the passphrase.
     */
    private static String usableKey(String pem, Optional<String> passphrase) {
        try {
            PrivateKeys.fromPem(pem, passphrase);
            return pem;
        } catch (PrivateKeys.UnreadableKeyException e) {
            Setting setting = e.problem().passphraseAtFault() ? Setting.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE
                    : Setting.SNOWFLAKE_PRIVATE_KEY;
            throw ConfigException.unusable(setting, e.problem().description()
                    + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")"), PrivateKeys.fix(e.problem()));
        }
    }

    /** A size as DuckDB reads one: a number and a unit, decimal (KB, MB, GB, TB) or binary (KiB, MiB, GiB, TiB). */
    private static String duckDbSize(String value) {
        if (!value.strip().matches("(?i)[0-9]+(\\.[0-9]+)? ?([KMGT]i?B)")) {
            throw ConfigException.invalid(Setting.DUCKDB_MEMORY_LIMIT, value, "a size with its unit, such as 320MiB or 2GB");
        }
        return value.strip();
    }

    private static Postgres postgres(Environment env, SqlIdentifier table, List<String> keyFields) {
        PostgresConnection connection = PostgresConnection.from(env, "when " + Setting.SINK_TYPE.envName() + "=postgres");
        return new Postgres(connection, PostgresConnection.name(Setting.POSTGRES_SCHEMA, env.required(Setting.POSTGRES_SCHEMA)),
                table, keyFields);
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
