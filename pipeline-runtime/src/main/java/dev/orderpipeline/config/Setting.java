package dev.orderpipeline.config;

/**
 * Every environment variable the runtime reads: the one documented contract between the operator,
 * which renders them, and the runtime, which parses them. Secrets may instead be given as a file
 * path in {@code <NAME>_FILE} (a mounted Secret key), which keeps them out of the pod spec.
 */
public enum Setting {
    PIPELINE_NAME("OPL_PIPELINE_NAME", null, false, "Pipeline name; keys the offsets in ORDERPIPELINE_OFFSETS."),
    HTTP_PORT("OPL_HTTP_PORT", "8080", false, "Port of /healthz, /readyz, /metrics and /status."),
    HTTP_BIND_ADDRESS("OPL_HTTP_BIND_ADDRESS", "0.0.0.0", false,
            "IP address /healthz, /readyz, /metrics and /status listen on; default every interface (a pod's own "
                    + "network). Set it when several runtimes share one host, e.g. each on its own 127.0.0.N."),
    TERMINATION_MESSAGE_PATH("OPL_TERMINATION_MESSAGE_PATH", "/dev/termination-log", false,
            "File a failed start writes its error to (Kubernetes' terminationMessagePath), only if the file exists, as "
                    + "the kubelet creates it: kubectl describe pod and the resource's status then show why."),

    KAFKA_BOOTSTRAP_SERVERS("OPL_KAFKA_BOOTSTRAP_SERVERS", null, false, "Kafka bootstrap servers, host:port[,host:port]."),
    KAFKA_TOPIC("OPL_KAFKA_TOPIC", null, false, "Topic the orders are read from."),
    KAFKA_GROUP_ID("OPL_KAFKA_GROUP_ID", null, false, "Consumer group; defaults to the pipeline name."),
    KAFKA_START_POSITION("OPL_KAFKA_START_POSITION", "earliest", false,
            "Where a pipeline with no stored offsets starts: earliest or latest."),
    KAFKA_OFFSET_RESET("OPL_KAFKA_OFFSET_RESET", "fail", false,
            "A stored offset outside the partition's log (below its start after retention, or past its end): fail "
                    + "(the partition is not read, said in /status), earliest (load from the log start, skipping what "
                    + "retention deleted) or latest (skip to the end). Every case is logged at ERROR and counted."),
    KAFKA_SESSION_TIMEOUT("OPL_KAFKA_SESSION_TIMEOUT", "45s", false,
            "Consumer session timeout: how long a crashed loader keeps its partitions before the group moves them."),
    KAFKA_SECURITY_PROTOCOL("OPL_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", false,
            "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (Confluent Cloud)."),
    KAFKA_SASL_MECHANISM("OPL_KAFKA_SASL_MECHANISM", "PLAIN", false,
            "SASL mechanism: PLAIN (Confluent Cloud API keys), SCRAM-SHA-256 or SCRAM-SHA-512 (e.g. Strimzi's scram-sha-512)."),
    KAFKA_SASL_USERNAME("OPL_KAFKA_SASL_USERNAME", null, true, "SASL user name (Confluent Cloud API key)."),
    KAFKA_SASL_PASSWORD("OPL_KAFKA_SASL_PASSWORD", null, true, "SASL password (Confluent Cloud API secret)."),
    KAFKA_SSL_CA_FILE("OPL_KAFKA_SSL_CA_FILE", null, false,
            "PEM file of the CA certificate(s) the brokers' certificates are checked against (SSL and SASL_SSL); "
                    + "default: the JVM's trust store."),
    KAFKA_SSL_CERTIFICATE_FILE("OPL_KAFKA_SSL_CERTIFICATE_FILE", null, false,
            "PEM file of the client certificate chain for mutual TLS; needs OPL_KAFKA_SSL_KEY_FILE."),
    KAFKA_SSL_KEY_FILE("OPL_KAFKA_SSL_KEY_FILE", null, false,
            "PEM file of the client certificate's unencrypted PKCS#8 private key, for mutual TLS."),

    KAFKA_VALUE_FORMAT("OPL_KAFKA_VALUE_FORMAT", "json", false,
            "How record values are written: json (schemaless JSON objects), avro, json_sr or protobuf (Confluent's wire "
                    + "format: magic byte 0 and a 4-byte schema id, or the schema GUID in the __value_schema_id header, "
                    + "Protobuf's message indexes after it, with the schema from OPL_SCHEMA_REGISTRY_URL deciding the "
                    + "column types) or string (the value's text in one column, VALUE)."),
    KAFKA_KEY_FORMAT("OPL_KAFKA_KEY_FORMAT", "json", false,
            "How record keys are written; a key is read only to find the upsert key of a tombstone. json (the default, "
                    + "as before): a JSON object holding the key fields, or else the key's text as the one key field (a "
                    + "number when it reads as one); string: the key's text as the one key field; avro, json_sr or protobuf: "
                    + "Confluent's wire format, a record holding the key fields or a primitive for the one key field."),
    SCHEMA_REGISTRY_URL("OPL_SCHEMA_REGISTRY_URL", null, false,
            "Base URL of the Confluent Schema Registry (Confluent Cloud: https://psrc-….confluent.cloud); required "
                    + "when a format is avro, json_sr or protobuf."),
    SCHEMA_REGISTRY_USERNAME("OPL_SCHEMA_REGISTRY_USERNAME", null, true,
            "Schema Registry user for HTTP basic auth (Confluent Cloud: the Schema Registry API key)."),
    SCHEMA_REGISTRY_PASSWORD("OPL_SCHEMA_REGISTRY_PASSWORD", null, true,
            "Schema Registry password for HTTP basic auth (Confluent Cloud: the Schema Registry API secret)."),
    SCHEMA_REGISTRY_CA_FILE("OPL_SCHEMA_REGISTRY_CA_FILE", null, false,
            "PEM file of the CA certificates to trust for an https registry; default: the JVM's trust store."),

    SINK_TYPE("OPL_SINK_TYPE", "duckdb", false, "Warehouse dialect: duckdb, snowflake or postgres (PostgreSQL 15+, connected with OPL_POSTGRES_*)."),
    SINK_TABLE("OPL_SINK_TABLE", "ORDERS", false, "Target table (created if absent)."),
    SINK_KEY_FIELDS("OPL_SINK_KEY_FIELDS", "", false,
            "Comma-separated upsert key fields (nested as parent.child); empty means append-only."),
    SINK_MAX_COLUMNS("OPL_SINK_MAX_COLUMNS", null, false,
            "Most columns the target table may have, metadata columns included; a record that would add more is "
                    + "dead-lettered. Default: the dialect's limit (PostgreSQL 1600), 10000 elsewhere."),
    DUCKDB_PATH("OPL_DUCKDB_PATH", "orders.duckdb", false, "DuckDB database file."),
    DUCKDB_SCHEMA("OPL_DUCKDB_SCHEMA", "main", false, "DuckDB schema of the target table."),
    DUCKDB_MEMORY_LIMIT("OPL_DUCKDB_MEMORY_LIMIT", null, false,
            "Most memory DuckDB's buffer manager may hold, as DuckDB writes a size (e.g. 320MiB, 2GB). Default: what "
                    + "the JVM leaves of the container's memory (or the machine's): that memory - the JVM's maximum heap "
                    + "- 192 MiB for the rest of the JVM, at least 128 MiB."),
    SNOWFLAKE_ACCOUNT("OPL_SNOWFLAKE_ACCOUNT", null, false, "Snowflake account identifier (orgname-account)."),
    SNOWFLAKE_URL("OPL_SNOWFLAKE_URL", null, false,
            "JDBC URL override; defaults to https://<account>.snowflakecomputing.com."),
    SNOWFLAKE_USER("OPL_SNOWFLAKE_USER", null, false, "Snowflake user (key-pair authentication)."),
    SNOWFLAKE_ROLE("OPL_SNOWFLAKE_ROLE", null, false, "Snowflake role."),
    SNOWFLAKE_WAREHOUSE("OPL_SNOWFLAKE_WAREHOUSE", null, false, "Snowflake virtual warehouse."),
    SNOWFLAKE_DATABASE("OPL_SNOWFLAKE_DATABASE", null, false, "Snowflake database."),
    SNOWFLAKE_SCHEMA("OPL_SNOWFLAKE_SCHEMA", null, false, "Snowflake schema."),
    SNOWFLAKE_PRIVATE_KEY("OPL_SNOWFLAKE_PRIVATE_KEY", null, true, "PKCS#8 PEM private key (key-pair authentication)."),
    SNOWFLAKE_PRIVATE_KEY_PASSPHRASE("OPL_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", null, true,
            "Passphrase of an encrypted private key."),

    BATCH_MAX_RECORDS("OPL_BATCH_MAX_RECORDS", "50000", false, "Flush after this many records."),
    BATCH_MAX_BYTES("OPL_BATCH_MAX_BYTES", "33554432", false, "Flush when the pending rows hold about this many bytes of heap (an estimate of their in-memory size, 3-5x their size on the wire)."),
    BATCH_MAX_LATENCY("OPL_BATCH_MAX_LATENCY", "1s", false,
            "Flush when the oldest buffered record is this old (e.g. 500ms, 1s, 1m), even with no new record."),

    DEAD_LETTER_TOPIC("OPL_DEAD_LETTER_TOPIC", null, false, "Topic for records that cannot be parsed or converted."),
    ERROR_TOLERANCE("OPL_ERROR_TOLERANCE", "all", false,
            "all: bad records go to the dead-letter topic; none: the loader stops at the first one."),
    RETRY_MAX_BACKOFF("OPL_RETRY_MAX_BACKOFF", "30s", false, "Cap of the exponential backoff on warehouse errors."),
    SINK_STATEMENT_TIMEOUT("OPL_SINK_STATEMENT_TIMEOUT", "60s", false,
            "Longest a warehouse statement may run (a lock wait included) before it fails and is retried; also "
                    + "bounds the connection's socket reads. Keep it well under OPL_CDC_CURSOR_LOOKBACK."),

    // ---- pipeline-runtime cdc: the warehouse table (connection: OPL_SINK_TYPE, OPL_DUCKDB_*, OPL_SNOWFLAKE_*)
    // ---- replicated into PostgreSQL. OPL_HTTP_PORT and OPL_RETRY_MAX_BACKOFF apply as well.
    CDC_NAME("OPL_CDC_NAME", null, false, "Name of the sync; keys its row in orderpipeline_cdc_state."),
    CDC_SOURCE_MODE("OPL_CDC_SOURCE_MODE", "pipelineRef", false,
            "pipelineRef (a loader's table, watermark = Kafka offsets in RECORD_METADATA), stream (Snowflake STREAM) "
                    + "or cursor (a monotonic column)."),
    CDC_SOURCE_TABLE("OPL_CDC_SOURCE_TABLE", "ORDERS", false,
            "Warehouse table replicated (in OPL_DUCKDB_SCHEMA or OPL_SNOWFLAKE_DATABASE.OPL_SNOWFLAKE_SCHEMA)."),
    CDC_KEY_COLUMNS("OPL_CDC_KEY_COLUMNS", null, false, "Comma-separated key columns; the target's primary key."),
    CDC_CURSOR_COLUMN("OPL_CDC_CURSOR_COLUMN", null, false, "cursor mode: the monotonic column (timestamp or number)."),
    CDC_CURSOR_LOOKBACK("OPL_CDC_CURSOR_LOOKBACK", "5m", false,
            "cursor mode: how far behind the cursor every read looks again, for late commits (a numeric cursor "
                    + "counts milliseconds; 0 turns it off)."),
    CDC_STREAM_NAME("OPL_CDC_STREAM_NAME", null, false, "stream mode: the STREAM's name; default <table>_OPL_STREAM."),
    CDC_STAGING_PREFIX("OPL_CDC_STAGING_PREFIX", null, false,
            "stream mode: prefix of the sequenced transient staging tables; default <table>_OPL_STAGE."),
    CDC_INTERVAL("OPL_CDC_INTERVAL", "10s", false, "Pause between two change reads once caught up."),
    CDC_IDLE_INTERVAL_MAX("OPL_CDC_IDLE_INTERVAL_MAX", null, false,
            "Longest pause while the source stays idle: the pause doubles from OPL_CDC_INTERVAL up to it (unset: no backoff)."),
    CDC_BATCH_SIZE("OPL_CDC_BATCH_SIZE", "10000", false, "Most rows applied in one PostgreSQL transaction."),
    CDC_SNAPSHOT_BATCH_SIZE("OPL_CDC_SNAPSHOT_BATCH_SIZE", "25000", false,
            "Most rows in one page of the initial snapshot (read from the warehouse, applied in one PostgreSQL transaction)."),
    CDC_DELETES("OPL_CDC_DELETES", "propagate", false,
            "propagate: rows deleted at the source are deleted in PostgreSQL; ignore: they are kept."),
    CDC_AUDIT_INTERVAL("OPL_CDC_AUDIT_INTERVAL", "5m", false,
            "How often row count and checksum of key + version are compared between warehouse and PostgreSQL."),
    POSTGRES_HOST("OPL_POSTGRES_HOST", null, false, "PostgreSQL host name."),
    POSTGRES_PORT("OPL_POSTGRES_PORT", "5432", false, "PostgreSQL port."),
    POSTGRES_DATABASE("OPL_POSTGRES_DATABASE", null, false, "PostgreSQL database."),
    POSTGRES_SCHEMA("OPL_POSTGRES_SCHEMA", "public", false, "Schema of the target table and of orderpipeline_cdc_state."),
    POSTGRES_TABLE("OPL_POSTGRES_TABLE", null, false, "Target table, created if absent (names are folded to lower case)."),
    POSTGRES_USER("OPL_POSTGRES_USER", null, true, "PostgreSQL user (from a Secret)."),
    POSTGRES_PASSWORD("OPL_POSTGRES_PASSWORD", null, true, "PostgreSQL password (from a Secret)."),
    POSTGRES_SSLMODE("OPL_POSTGRES_SSLMODE", "verify-full", false,
            "libpq sslmode: disable, allow, prefer, require, verify-ca or verify-full."),
    POSTGRES_SSL_ROOT_CERT_FILE("OPL_POSTGRES_SSL_ROOT_CERT_FILE", null, false,
            "PEM file of the CA certificate(s) the server's certificate is checked against (libpq sslrootcert), for "
                    + "verify-ca and verify-full; default: the JVM's trust store."),

    // ---- Metrics, every process (load, cdc): Prometheus text on /metrics always; DogStatsD to the node's
    // ---- Datadog agent and the Datadog API by configuration. Datadog's own variable names wherever one exists.
    NAMESPACE("OPL_NAMESPACE", null, false,
            "Kubernetes namespace of the resource: the namespace tag on every metric (the operator renders it from "
                    + "the pod's metadata.namespace)."),
    METRICS_DOGSTATSD_ENABLED("OPL_METRICS_DOGSTATSD_ENABLED", "auto", false,
            "true: send metrics to the Datadog agent over DogStatsD (UDP, Datadog flavour); false: never; auto: when "
                    + "DD_AGENT_HOST is set."),
    DD_AGENT_HOST("DD_AGENT_HOST", null, false,
            "Host of the node's Datadog agent (the operator renders it from the pod's status.hostIP); DogStatsD "
                    + "falls back to localhost."),
    DD_DOGSTATSD_PORT("DD_DOGSTATSD_PORT", "8125", false, "DogStatsD UDP port of the agent."),
    DD_API_KEY("DD_API_KEY", null, true,
            "Datadog API key; when given (or DD_API_KEY_FILE, a mounted Secret key), metrics are also pushed to the "
                    + "Datadog API, the key sent as the DD-API-KEY header."),
    DD_APP_KEY("DD_APP_KEY", null, true,
            "Optional Datadog application key: with it the API push also sets metric metadata (unit, description)."),
    DD_SITE("DD_SITE", "datadoghq.com", false,
            "Datadog site of the API push: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, "
                    + "ap1.datadoghq.com or ddog-gov.com."),
    METRICS_DATADOG_URI("OPL_METRICS_DATADOG_URI", null, false,
            "Base URI of the Datadog API push; default https://api.<DD_SITE> (a proxy, or a local server in tests)."),
    METRICS_STEP("OPL_METRICS_STEP", "10s", false,
            "Datadog API push interval and DogStatsD gauge polling interval."),
    DD_ENV("DD_ENV", null, false, "Unified service tagging: the env tag on every metric."),
    DD_SERVICE("DD_SERVICE", null, false, "Unified service tagging: the service tag on every metric."),
    DD_VERSION("DD_VERSION", null, false, "Unified service tagging: the version tag on every metric."),
    DD_TAGS("DD_TAGS", null, false,
            "Extra tags on every metric: key:value pairs separated by spaces or commas (DD_ENV, DD_SERVICE and "
                    + "DD_VERSION win over env, service and version given here).");

    private final String envName;
    private final String defaultValue;
    private final boolean secret;
    private final String description;

    Setting(String envName, String defaultValue, boolean secret, String description) {
        this.envName = envName;
        this.defaultValue = defaultValue;
        this.secret = secret;
        this.description = description;
    }

    public String envName() {
        return envName;
    }

    /** The variable that may hold the path of a file with this setting's value. */
    public String fileEnvName() {
        return envName + "_FILE";
    }

    public String defaultValue() {
        return defaultValue;
    }

    public boolean secret() {
        return secret;
    }

    public String description() {
        return description;
    }
}
