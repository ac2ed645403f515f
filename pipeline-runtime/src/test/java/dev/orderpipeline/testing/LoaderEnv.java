package dev.orderpipeline.testing;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.FreePorts;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Loader environments for tests, built from the documented variable names. */
public final class LoaderEnv {
    private LoaderEnv() {
    }

    public static Map<String, String> duckdb(String bootstrapServers, String topic, Path database, String keyFields) {
        Map<String, String> env = base(bootstrapServers, topic, keyFields);
        env.put(Setting.SINK_TYPE.envName(), "duckdb");
        env.put(Setting.DUCKDB_PATH.envName(), database.toString());
        return env;
    }

    public static Map<String, String> snowflake(String bootstrapServers, String topic, FakesnowServer fakesnow,
                                                String table, String keyFields) {
        Map<String, String> env = base(bootstrapServers, topic, keyFields);
        env.put(Setting.SINK_TYPE.envName(), "snowflake");
        env.put(Setting.SINK_TABLE.envName(), table);
        env.put(Setting.SNOWFLAKE_ACCOUNT.envName(), "fakesnow");
        env.put(Setting.SNOWFLAKE_URL.envName(), fakesnow.jdbcUrl());
        env.put(Setting.SNOWFLAKE_USER.envName(), "LOADER");
        env.put(Setting.SNOWFLAKE_DATABASE.envName(), "ANALYTICS");
        env.put(Setting.SNOWFLAKE_SCHEMA.envName(), "RAW");
        env.put(Setting.SNOWFLAKE_PRIVATE_KEY.envName(), SnowflakeKeyPair.pem(null));
        // fakesnow runs an array bind row by row (~200 rows/s): keep each transaction short.
        env.put(Setting.BATCH_MAX_RECORDS.envName(), "1000");
        return env;
    }

    /** A loader writing to {@code table} in a PostgreSQL server (the postgres sink). */
    public static Map<String, String> postgres(String bootstrapServers, String topic, EmbeddedPostgres pg, String table,
                                               String keyFields) {
        Map<String, String> env = base(bootstrapServers, topic, keyFields);
        env.putAll(postgresTarget(pg, "unused"));
        env.put(Setting.SINK_TYPE.envName(), "postgres");
        env.put(Setting.SINK_TABLE.envName(), table);
        return env;
    }

    /** The replicator's target settings for {@code pg} (credentials as a pod would get them). */
    public static Map<String, String> postgresTarget(EmbeddedPostgres pg, String table) {
        Map<String, String> env = new HashMap<>();
        env.put(Setting.POSTGRES_HOST.envName(), "127.0.0.1");
        env.put(Setting.POSTGRES_PORT.envName(), Integer.toString(pg.port()));
        env.put(Setting.POSTGRES_DATABASE.envName(), "postgres");
        env.put(Setting.POSTGRES_TABLE.envName(), table);
        env.put(Setting.POSTGRES_USER.envName(), "postgres");
        env.put(Setting.POSTGRES_PASSWORD.envName(), "postgres");
        env.put(Setting.POSTGRES_SSLMODE.envName(), "disable");
        return env;
    }

    private static Map<String, String> base(String bootstrapServers, String topic, String keyFields) {
        Map<String, String> env = new HashMap<>();
        env.put(Setting.PIPELINE_NAME.envName(), "test-" + topic);
        env.put(Setting.HTTP_PORT.envName(), Integer.toString(FreePorts.next()));
        env.put(Setting.KAFKA_BOOTSTRAP_SERVERS.envName(), bootstrapServers);
        env.put(Setting.KAFKA_TOPIC.envName(), topic);
        env.put(Setting.SINK_KEY_FIELDS.envName(), keyFields);
        env.put(Setting.BATCH_MAX_LATENCY.envName(), "300ms");
        env.put(Setting.BATCH_MAX_RECORDS.envName(), "5000");
        env.put(Setting.ERROR_TOLERANCE.envName(), "none");
        env.put(Setting.RETRY_MAX_BACKOFF.envName(), "2s");
        // A killed loader's partitions move to its successor after this long.
        env.put(Setting.KAFKA_SESSION_TIMEOUT.envName(), "3s");
        return env;
    }
}
