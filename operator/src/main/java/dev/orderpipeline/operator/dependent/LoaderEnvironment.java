package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.BatchSpec;
import dev.orderpipeline.operator.api.DeadLetterSpec;
import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SnowflakeSinkSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders an OrderPipeline into the loader's environment, following the runtime's contract
 * ({@code dev.orderpipeline.config.Setting} in pipeline-runtime; a test checks both sides agree).
 * Plain settings go to a ConfigMap; credentials only ever as {@code secretKeyRef}s.
 * Settings the spec leaves out are not rendered, so the runtime's documented defaults apply.
 */
public final class LoaderEnvironment {
    public static final String PIPELINE_NAME = "OPL_PIPELINE_NAME";
    public static final String HTTP_PORT = "OPL_HTTP_PORT";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "OPL_KAFKA_BOOTSTRAP_SERVERS";
    public static final String KAFKA_TOPIC = "OPL_KAFKA_TOPIC";
    public static final String KAFKA_GROUP_ID = "OPL_KAFKA_GROUP_ID";
    public static final String KAFKA_START_POSITION = "OPL_KAFKA_START_POSITION";
    public static final String KAFKA_OFFSET_RESET = "OPL_KAFKA_OFFSET_RESET";
    public static final String KAFKA_SECURITY_PROTOCOL = "OPL_KAFKA_SECURITY_PROTOCOL";
    public static final String KAFKA_SASL_MECHANISM = "OPL_KAFKA_SASL_MECHANISM";
    public static final String KAFKA_SASL_USERNAME = "OPL_KAFKA_SASL_USERNAME";
    public static final String KAFKA_SASL_PASSWORD = "OPL_KAFKA_SASL_PASSWORD";
    public static final String KAFKA_SSL_CA_FILE = "OPL_KAFKA_SSL_CA_FILE";
    public static final String KAFKA_SSL_CERTIFICATE_FILE = "OPL_KAFKA_SSL_CERTIFICATE_FILE";
    public static final String KAFKA_SSL_KEY_FILE = "OPL_KAFKA_SSL_KEY_FILE";
    public static final String KAFKA_VALUE_FORMAT = "OPL_KAFKA_VALUE_FORMAT";
    public static final String KAFKA_KEY_FORMAT = "OPL_KAFKA_KEY_FORMAT";
    public static final String SCHEMA_REGISTRY_URL = "OPL_SCHEMA_REGISTRY_URL";
    public static final String SCHEMA_REGISTRY_USERNAME = "OPL_SCHEMA_REGISTRY_USERNAME";
    public static final String SCHEMA_REGISTRY_PASSWORD = "OPL_SCHEMA_REGISTRY_PASSWORD";
    public static final String SCHEMA_REGISTRY_CA_FILE = "OPL_SCHEMA_REGISTRY_CA_FILE";
    public static final String SINK_TYPE = "OPL_SINK_TYPE";
    public static final String SINK_TABLE = "OPL_SINK_TABLE";
    public static final String SINK_KEY_FIELDS = "OPL_SINK_KEY_FIELDS";
    public static final String DUCKDB_PATH = "OPL_DUCKDB_PATH";
    public static final String DUCKDB_SCHEMA = "OPL_DUCKDB_SCHEMA";
    public static final String SNOWFLAKE_ACCOUNT = "OPL_SNOWFLAKE_ACCOUNT";
    public static final String SNOWFLAKE_URL = "OPL_SNOWFLAKE_URL";
    public static final String SNOWFLAKE_USER = "OPL_SNOWFLAKE_USER";
    public static final String SNOWFLAKE_ROLE = "OPL_SNOWFLAKE_ROLE";
    public static final String SNOWFLAKE_WAREHOUSE = "OPL_SNOWFLAKE_WAREHOUSE";
    public static final String SNOWFLAKE_DATABASE = "OPL_SNOWFLAKE_DATABASE";
    public static final String SNOWFLAKE_SCHEMA = "OPL_SNOWFLAKE_SCHEMA";
    public static final String SNOWFLAKE_PRIVATE_KEY = "OPL_SNOWFLAKE_PRIVATE_KEY";
    public static final String SNOWFLAKE_PRIVATE_KEY_PASSPHRASE = "OPL_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE";
    public static final String BATCH_MAX_RECORDS = "OPL_BATCH_MAX_RECORDS";
    public static final String BATCH_MAX_BYTES = "OPL_BATCH_MAX_BYTES";
    public static final String BATCH_MAX_LATENCY = "OPL_BATCH_MAX_LATENCY";
    public static final String DEAD_LETTER_TOPIC = "OPL_DEAD_LETTER_TOPIC";
    public static final String ERROR_TOLERANCE = "OPL_ERROR_TOLERANCE";

    public static final int HTTP_PORT_NUMBER = 8080;
    /** Mount point of the pod's writable data volume (the root filesystem is read-only). */
    public static final String DATA_DIR = "/var/lib/orderpipeline";

    private LoaderEnvironment() {
    }

    /** Non-secret settings, sorted so that the rendering (and its hash) is stable. */
    public static SortedMap<String, String> configData(OrderPipeline pipeline) {
        OrderPipelineSpec spec = pipeline.getSpec();
        SortedMap<String, String> data = new TreeMap<>();
        data.put(PIPELINE_NAME, pipeline.pipelineName());
        data.put(HTTP_PORT, Integer.toString(HTTP_PORT_NUMBER));
        renderSource(spec.source(), pipeline.consumerGroup(), data);
        renderSink(spec.sink(), data);
        renderBatch(spec.batch(), data);
        renderDeadLetter(spec.deadLetter(), data);
        return data;
    }

    private static void renderSource(SourceSpec source, String consumerGroup, Map<String, String> data) {
        data.put(KAFKA_BOOTSTRAP_SERVERS, source.bootstrapServers());
        data.put(KAFKA_TOPIC, source.topic());
        data.put(KAFKA_GROUP_ID, consumerGroup);
        if (source.startPosition() != null) {
            data.put(KAFKA_START_POSITION, lower(source.startPosition()));
        }
        if (source.offsetReset() != null) {
            data.put(KAFKA_OFFSET_RESET, lower(source.offsetReset()));
        }
        if (source.format() != null) {
            data.put(KAFKA_VALUE_FORMAT, lower(source.format()));
        }
        if (source.keyFormat() != null) {
            data.put(KAFKA_KEY_FORMAT, lower(source.keyFormat()));
        }
        if (source.schemaRegistry() != null) {
            data.put(SCHEMA_REGISTRY_URL, source.schemaRegistry().url());
        }
        KafkaSecuritySpec security = source.security();
        if (security != null) {
            putIfSet(data, KAFKA_SECURITY_PROTOCOL, security.protocol() == null ? null : security.protocol().name());
            putIfSet(data, KAFKA_SASL_MECHANISM,
                    security.saslMechanism() == null ? null : security.saslMechanism().kafkaName());
        }
    }

    /** The warehouse connection settings; shared with the replicator, which reads the same table. */
    static void renderSink(SinkSpec sink, Map<String, String> data) {
        data.put(SINK_TYPE, lower(sink.type()));
        putIfSet(data, SINK_TABLE, sink.table());
        if (sink.keyFields() != null && !sink.keyFields().isEmpty()) {
            data.put(SINK_KEY_FIELDS, String.join(",", sink.keyFields()));
        }
        if (sink.type() == SinkSpec.Type.DUCKDB) {
            String path = sink.duckdb() != null && sink.duckdb().path() != null
                    ? sink.duckdb().path() : DATA_DIR + "/orders.duckdb";
            data.put(DUCKDB_PATH, path);
            putIfSet(data, DUCKDB_SCHEMA, sink.duckdb() == null ? null : sink.duckdb().schema());
        } else if (sink.snowflake() != null) {
            SnowflakeSinkSpec snowflake = sink.snowflake();
            data.put(SNOWFLAKE_ACCOUNT, snowflake.account());
            putIfSet(data, SNOWFLAKE_URL, snowflake.url());
            data.put(SNOWFLAKE_USER, snowflake.user());
            putIfSet(data, SNOWFLAKE_ROLE, snowflake.role());
            putIfSet(data, SNOWFLAKE_WAREHOUSE, snowflake.warehouse());
            data.put(SNOWFLAKE_DATABASE, snowflake.database());
            data.put(SNOWFLAKE_SCHEMA, snowflake.schema());
        }
    }

    private static void renderBatch(BatchSpec batch, Map<String, String> data) {
        if (batch == null) {
            return;
        }
        putIfSet(data, BATCH_MAX_RECORDS, batch.maxRecords() == null ? null : batch.maxRecords().toString());
        putIfSet(data, BATCH_MAX_BYTES, batch.maxBytes() == null ? null : batch.maxBytes().toString());
        putIfSet(data, BATCH_MAX_LATENCY, batch.maxLatency());
    }

    private static void renderDeadLetter(DeadLetterSpec deadLetter, Map<String, String> data) {
        if (deadLetter == null) {
            // The runtime's default tolerance (all) needs a dead-letter topic; without one, the only
            // choice that loses no record is to stop at the first bad one.
            data.put(ERROR_TOLERANCE, lower(DeadLetterSpec.ErrorTolerance.NONE));
            return;
        }
        data.put(DEAD_LETTER_TOPIC, deadLetter.topic());
        DeadLetterSpec.ErrorTolerance tolerance = deadLetter.errorTolerance() == null
                ? DeadLetterSpec.ErrorTolerance.ALL : deadLetter.errorTolerance();
        data.put(ERROR_TOLERANCE, lower(tolerance));
    }

    /** The loader's Secret keys as variables and files ({@link WorkloadSecrets#loader}). */
    public static List<EnvVar> secretEnv(OrderPipeline pipeline) {
        return WorkloadSecrets.env(WorkloadSecrets.loader(pipeline.getSpec()));
    }

    /**
     * A digest of everything the loader reads at start-up, put on the pod template so that a change
     * rolls the pods. It covers Secret names and keys, not their values: a changed value rolls the pods
     * through the Secrets' versions ({@code SecretVersions}), which the operator reads without the data.
     */
    public static String configHash(OrderPipeline pipeline) {
        StringBuilder text = new StringBuilder();
        configData(pipeline).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append(WorkloadSecrets.hashInput(WorkloadSecrets.loader(pipeline.getSpec())));
        return shortDigest(text.toString());
    }

    /** The first 8 bytes of a SHA-256, hex: short enough for an annotation, long enough to tell configurations apart. */
    static String shortDigest(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static <V> void putIfSet(Map<String, V> map, String key, V value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
