package dev.orderpipeline.operator;

import dev.orderpipeline.operator.api.CdcSourceSpec;
import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.CdcSyncSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.PostgresTargetSpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SnowflakeSinkSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;

/** CdcSync resources the tests apply, with the PostgreSQL Secret. */
public final class TestSyncs {
    public static final String POSTGRES_SECRET = "analytics-pg";
    public static final String PG_USER = "replicator_user_5521";
    public static final String PG_PASSWORD = "pg-password-7e6d5c4b";

    private TestSyncs() {
    }

    public static PostgresTargetSpec target() {
        return new PostgresTargetSpec("analytics-pg.db.svc", 5433, "analytics", "public", "orders",
                new SecretKeyReference(POSTGRES_SECRET, "username"), new SecretKeyReference(POSTGRES_SECRET, "password"),
                PostgresTargetSpec.SslMode.REQUIRE);
    }

    /** Replicates the table of the OrderPipeline {@code pipeline}, in pages of 5,000 changes and 20,000 snapshot rows. */
    public static CdcSyncSpec pipelineRefSpec(String pipeline) {
        return new CdcSyncSpec(new CdcSourceSpec(new CdcSourceSpec.PipelineReference(pipeline), null),
                List.of("ORDERID"), target(), "5s", 5000, 20000, CdcSyncSpec.Deletes.PROPAGATE, PipelineState.RUNNING, null);
    }

    /** Replicates a Snowflake table through a monotonic cursor column. */
    public static CdcSyncSpec snowflakeCursorSpec() {
        SnowflakeSinkSpec connection = new SnowflakeSinkSpec("myorg-myaccount", null, "CDC_USER", "CDC_ROLE", "CDC_WH",
                "ANALYTICS", "MARTS", new SecretKeyReference(TestPipelines.SNOWFLAKE_SECRET, "rsa_key.p8"),
                // The test key is encrypted: the runtime refuses it without its passphrase.
                new SecretKeyReference(TestPipelines.SNOWFLAKE_SECRET, "passphrase"));
        return new CdcSyncSpec(new CdcSourceSpec(null, new CdcSourceSpec.SnowflakeTable(connection, "FCT_ORDERS",
                CdcSourceSpec.SnowflakeTable.Mode.CURSOR, "UPDATED_AT", "10m")),
                List.of("ORDER_ID"), target(), null, null, CdcSyncSpec.Deletes.IGNORE, PipelineState.RUNNING);
    }

    public static CdcSync sync(String namespace, String name, CdcSyncSpec spec) {
        CdcSync sync = new CdcSync();
        sync.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        sync.setSpec(spec);
        return sync;
    }

    public static Secret postgresSecret(String namespace) {
        return new SecretBuilder().withNewMetadata().withName(POSTGRES_SECRET).withNamespace(namespace).endMetadata()
                .withStringData(Map.of("username", PG_USER, "password", PG_PASSWORD)).build();
    }
}
