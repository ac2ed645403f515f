package dev.orderpipeline.cdc;

import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.PostgresConnection;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code pipeline-runtime cdc} needs, parsed and validated from the environment. The
 * warehouse connection reuses the loader's variables (a {@code pipelineRef} sync reads the very
 * table a loader writes); the PostgreSQL target has its own {@code OPL_POSTGRES_*} block.
 */
public record CdcConfig(
        String name,
        int httpPort,
        Mode mode,
        SinkConfig warehouse,
        SqlIdentifier sourceTable,
        List<SqlIdentifier> keyColumns,
        Optional<SqlIdentifier> cursorColumn,
        Duration cursorLookback,
        SqlIdentifier streamName,
        SqlIdentifier stagingPrefix,
        Duration interval,
        Duration idleIntervalMax,
        int batchSize,
        int snapshotBatchSize,
        Deletes deletes,
        Duration auditInterval,
        Duration retryMaxBackoff,
        PostgresConfig postgres,
        boolean duckDbReadOnly) {

    public enum Mode { PIPELINEREF, STREAM, CURSOR }

    public enum Deletes { PROPAGATE, IGNORE }

    /** The target table, reached through the same {@code OPL_POSTGRES_*} connection settings as the loader's sink. */
    public record PostgresConfig(PostgresConnection connection, String schema, String table) {
        @Override
        public String toString() {
            return "Postgres[" + connection + ", table=" + schema + "." + table + "]";
        }

        static PostgresConfig from(Environment env) {
            return new PostgresConfig(PostgresConnection.from(env, "for the replicator's PostgreSQL target"),
                    PostgresConnection.name(Setting.POSTGRES_SCHEMA, env.required(Setting.POSTGRES_SCHEMA)),
                    PostgresConnection.name(Setting.POSTGRES_TABLE, env.required(Setting.POSTGRES_TABLE)));
        }
    }

    public static CdcConfig from(Environment env) {
        String name = env.required(Setting.CDC_NAME);
        if (!name.matches("[a-zA-Z0-9._-]{1,253}")) {
            throw ConfigException.invalid(Setting.CDC_NAME, name, "letters, digits, '.', '_' or '-'");
        }
        int port = env.port(Setting.HTTP_PORT);
        Mode mode = env.choice(Setting.CDC_SOURCE_MODE, Mode.class);
        SinkConfig warehouse = SinkConfig.from(env);
        SqlIdentifier table = identifier(Setting.CDC_SOURCE_TABLE, env.required(Setting.CDC_SOURCE_TABLE));
        List<SqlIdentifier> keys = env.list(Setting.CDC_KEY_COLUMNS).stream()
                .map(k -> identifier(Setting.CDC_KEY_COLUMNS, k)).toList();
        if (keys.isEmpty()) {
            throw ConfigException.missing(Setting.CDC_KEY_COLUMNS, "(the target's primary key)");
        }
        keys.forEach(k -> PostgresConnection.name(Setting.CDC_KEY_COLUMNS, k.name()));
        Optional<SqlIdentifier> cursor = env.optional(Setting.CDC_CURSOR_COLUMN).filter(s -> !s.isEmpty())
                .map(c -> identifier(Setting.CDC_CURSOR_COLUMN, c));
        if (mode == Mode.CURSOR && cursor.isEmpty()) {
            throw ConfigException.missing(Setting.CDC_CURSOR_COLUMN, "when " + Setting.CDC_SOURCE_MODE.envName() + "=cursor");
        }
        if (warehouse.type() == SinkConfig.Type.POSTGRES) {
            throw ConfigException.invalid(Setting.SINK_TYPE, "postgres",
                    "duckdb or snowflake: the replicator reads a DuckDB or Snowflake table (a postgres sink is already in PostgreSQL)");
        }
        if (mode == Mode.STREAM && !(warehouse instanceof SinkConfig.Snowflake)) {
            throw ConfigException.invalid(Setting.CDC_SOURCE_MODE, "stream",
                    "pipelineRef or cursor: streams exist only on Snowflake (" + Setting.SINK_TYPE.envName() + "=snowflake)");
        }
        Duration lookback = env.optional(Setting.CDC_CURSOR_LOOKBACK).filter("0"::equals).isPresent()
                ? Duration.ZERO : env.duration(Setting.CDC_CURSOR_LOOKBACK);
        SqlIdentifier stream = env.optional(Setting.CDC_STREAM_NAME).filter(s -> !s.isEmpty())
                .map(s -> identifier(Setting.CDC_STREAM_NAME, s))
                .orElseGet(() -> derived(Setting.CDC_SOURCE_TABLE, table, "_OPL_STREAM"));
        SqlIdentifier staging = env.optional(Setting.CDC_STAGING_PREFIX).filter(s -> !s.isEmpty())
                .map(s -> identifier(Setting.CDC_STAGING_PREFIX, s))
                .orElseGet(() -> derived(Setting.CDC_SOURCE_TABLE, table, "_OPL_STAGE"));
        Duration interval = env.duration(Setting.CDC_INTERVAL);
        Duration idleMax = env.optional(Setting.CDC_IDLE_INTERVAL_MAX).filter(v -> !v.isEmpty()).isPresent()
                ? env.duration(Setting.CDC_IDLE_INTERVAL_MAX) : interval;
        if (idleMax.compareTo(interval) < 0) {
            throw ConfigException.invalid(Setting.CDC_IDLE_INTERVAL_MAX, env.required(Setting.CDC_IDLE_INTERVAL_MAX),
                    "a duration no shorter than " + Setting.CDC_INTERVAL.envName() + " (" + interval + ")");
        }
        return new CdcConfig(name, port, mode, warehouse, table, keys, cursor, lookback, stream, staging,
                interval, idleMax,
                env.positiveInt(Setting.CDC_BATCH_SIZE),
                env.positiveInt(Setting.CDC_SNAPSHOT_BATCH_SIZE),
                env.choice(Setting.CDC_DELETES, Deletes.class),
                env.duration(Setting.CDC_AUDIT_INTERVAL),
                env.duration(Setting.RETRY_MAX_BACKOFF),
                PostgresConfig.from(env),
                true);
    }

    /** The same sync reading a DuckDB file that this process already has open read-write (the demo). */
    public CdcConfig sharingDuckDb() {
        return new CdcConfig(name, httpPort, mode, warehouse, sourceTable, keyColumns, cursorColumn, cursorLookback,
                streamName, stagingPrefix, interval, idleIntervalMax, batchSize, snapshotBatchSize, deletes, auditInterval, retryMaxBackoff, postgres, false);
    }

    private static SqlIdentifier derived(Setting setting, SqlIdentifier table, String suffix) {
        String name = table.name() + suffix;
        if (!SqlIdentifier.isValid(name)) {
            throw ConfigException.invalid(setting, table.name(), "a shorter table name (it prefixes " + suffix + ")");
        }
        return SqlIdentifier.of(name);
    }

    static SqlIdentifier identifier(Setting setting, String value) {
        if (!SqlIdentifier.isValid(value)) {
            throw ConfigException.invalid(setting, value,
                    "SQL identifiers of letters, digits, _ and $, starting with a letter or _");
        }
        return SqlIdentifier.of(value);
    }
}
