package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.CdcSourceSpec;
import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.CdcSyncSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.PostgresTargetSpec;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SnowflakeSinkSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders a CdcSync into the replicator's environment ({@code pipeline-runtime cdc}), following the
 * runtime's contract ({@code dev.orderpipeline.config.Setting}, the OPL_CDC_* and OPL_POSTGRES_* block;
 * a test feeds the rendering to the runtime's own CdcConfig parser). The warehouse connection uses the
 * loader's variables: for a {@code pipelineRef} those of the referenced OrderPipeline's sink.
 */
public final class ReplicatorEnvironment {
    public static final String CDC_NAME = "OPL_CDC_NAME";
    public static final String CDC_SOURCE_MODE = "OPL_CDC_SOURCE_MODE";
    public static final String CDC_SOURCE_TABLE = "OPL_CDC_SOURCE_TABLE";
    public static final String CDC_KEY_COLUMNS = "OPL_CDC_KEY_COLUMNS";
    public static final String CDC_CURSOR_COLUMN = "OPL_CDC_CURSOR_COLUMN";
    public static final String CDC_CURSOR_LOOKBACK = "OPL_CDC_CURSOR_LOOKBACK";
    public static final String CDC_INTERVAL = "OPL_CDC_INTERVAL";
    public static final String CDC_BATCH_SIZE = "OPL_CDC_BATCH_SIZE";
    public static final String CDC_SNAPSHOT_BATCH_SIZE = "OPL_CDC_SNAPSHOT_BATCH_SIZE";
    public static final String CDC_DELETES = "OPL_CDC_DELETES";
    public static final String POSTGRES_HOST = "OPL_POSTGRES_HOST";
    public static final String POSTGRES_PORT = "OPL_POSTGRES_PORT";
    public static final String POSTGRES_DATABASE = "OPL_POSTGRES_DATABASE";
    public static final String POSTGRES_SCHEMA = "OPL_POSTGRES_SCHEMA";
    public static final String POSTGRES_TABLE = "OPL_POSTGRES_TABLE";
    public static final String POSTGRES_USER = "OPL_POSTGRES_USER";
    public static final String POSTGRES_PASSWORD = "OPL_POSTGRES_PASSWORD";
    public static final String POSTGRES_SSLMODE = "OPL_POSTGRES_SSLMODE";
    public static final String POSTGRES_SSL_ROOT_CERT_FILE = "OPL_POSTGRES_SSL_ROOT_CERT_FILE";
    /** The table a loader writes when its spec names none (the runtime's default). */
    public static final String DEFAULT_TABLE = "ORDERS";

    private ReplicatorEnvironment() {
    }

    /** Non-secret settings, sorted so that the rendering (and its hash) is stable. */
    public static SortedMap<String, String> configData(CdcSync sync, Optional<OrderPipeline> referenced) {
        CdcSyncSpec spec = sync.getSpec();
        SortedMap<String, String> data = new TreeMap<>();
        data.put(CDC_NAME, ReplicatorResources.syncName(sync));
        data.put(LoaderEnvironment.HTTP_PORT, Integer.toString(LoaderEnvironment.HTTP_PORT_NUMBER));
        CdcSourceSpec source = spec.source();
        if (source.pipelineRef() != null) {
            SinkSpec sink = referenced.orElseThrow(() -> new IllegalStateException(
                    "the referenced OrderPipeline is checked before rendering")).getSpec().sink();
            data.put(CDC_SOURCE_MODE, "pipelineRef");
            data.put(CDC_SOURCE_TABLE, sink.table() != null ? sink.table() : DEFAULT_TABLE);
            LoaderEnvironment.renderSink(sink, data);
        } else {
            CdcSourceSpec.SnowflakeTable table = source.snowflake();
            CdcSourceSpec.SnowflakeTable.Mode mode = table.mode() == null
                    ? CdcSourceSpec.SnowflakeTable.Mode.STREAM : table.mode();
            data.put(CDC_SOURCE_MODE, LoaderEnvironment.lower(mode));
            data.put(CDC_SOURCE_TABLE, table.table());
            LoaderEnvironment.putIfSet(data, CDC_CURSOR_COLUMN, table.cursorColumn());
            LoaderEnvironment.putIfSet(data, CDC_CURSOR_LOOKBACK, table.lookback());
            LoaderEnvironment.renderSink(new SinkSpec(SinkSpec.Type.SNOWFLAKE, null, null, table.connection(), null),
                    data);
        }
        data.put(CDC_KEY_COLUMNS, String.join(",", spec.keyColumns()));
        LoaderEnvironment.putIfSet(data, CDC_INTERVAL, spec.interval());
        LoaderEnvironment.putIfSet(data, CDC_BATCH_SIZE, spec.batchSize() == null ? null : spec.batchSize().toString());
        LoaderEnvironment.putIfSet(data, CDC_SNAPSHOT_BATCH_SIZE,
                spec.snapshotBatchSize() == null ? null : spec.snapshotBatchSize().toString());
        if (spec.deletes() != null) {
            data.put(CDC_DELETES, LoaderEnvironment.lower(spec.deletes()));
        }
        PostgresTargetSpec target = spec.target();
        data.put(POSTGRES_HOST, target.host());
        LoaderEnvironment.putIfSet(data, POSTGRES_PORT, target.port() == null ? null : target.port().toString());
        data.put(POSTGRES_DATABASE, target.database());
        LoaderEnvironment.putIfSet(data, POSTGRES_SCHEMA, target.schema());
        data.put(POSTGRES_TABLE, target.table());
        if (target.sslmode() != null) {
            data.put(POSTGRES_SSLMODE, target.sslmode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return data;
    }

    /** The Snowflake connection the replicator reads from, if the source is on Snowflake. */
    public static Optional<SnowflakeSinkSpec> snowflake(CdcSync sync, Optional<OrderPipeline> referenced) {
        CdcSourceSpec source = sync.getSpec().source();
        if (source.snowflake() != null) {
            return Optional.ofNullable(source.snowflake().connection());
        }
        return referenced.map(p -> p.getSpec().sink())
                .filter(sink -> sink.type() == SinkSpec.Type.SNOWFLAKE)
                .map(SinkSpec::snowflake);
    }

    /** The replicator's Secret keys as variables and files ({@link WorkloadSecrets#replicator}). */
    public static List<EnvVar> secretEnv(CdcSync sync, Optional<OrderPipeline> referenced) {
        return WorkloadSecrets.env(WorkloadSecrets.replicator(sync.getSpec(), referenced));
    }

    /** A digest of everything the replicator reads at start-up (Secret names and keys, never values). */
    public static String configHash(CdcSync sync, Optional<OrderPipeline> referenced) {
        StringBuilder text = new StringBuilder();
        configData(sync, referenced).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append(WorkloadSecrets.hashInput(WorkloadSecrets.replicator(sync.getSpec(), referenced)));
        return LoaderEnvironment.shortDigest(text.toString());
    }
}
