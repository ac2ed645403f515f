package dev.orderpipeline.operator.cdc;

import static dev.orderpipeline.operator.TestSyncs.pipelineRefSpec;
import static dev.orderpipeline.operator.TestSyncs.postgresSecret;
import static dev.orderpipeline.operator.TestSyncs.snowflakeCursorSpec;
import static dev.orderpipeline.operator.TestSyncs.sync;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.SharedOperatorTest;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.TestSyncs;
import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.CdcSyncSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.PostgresTargetSpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.dependent.SecretUse;
import dev.orderpipeline.operator.dependent.SecretVersions;
import dev.orderpipeline.operator.reconciler.CdcSyncValidator;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import dev.orderpipeline.operator.status.SpecProblem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CdcSyncReconcilerTest extends SharedOperatorTest {
    private String namespace;

    @BeforeEach
    void freshNamespace() {
        namespace = harness.newNamespace("cdc");
    }

    @Test
    void appliedSyncGetsAConfigMapAndOneRecreateReplicatorWithSecretsByReference() {
        CdcSync applied = applyWithSecrets(snowflakeCursorSpec());

        ConfigMap config = awaitConfigMap();
        assertEquals("cursor", config.getData().get("OPL_CDC_SOURCE_MODE"));
        assertEquals("FCT_ORDERS", config.getData().get("OPL_CDC_SOURCE_TABLE"));
        assertEquals("UPDATED_AT", config.getData().get("OPL_CDC_CURSOR_COLUMN"));
        assertEquals("ORDER_ID", config.getData().get("OPL_CDC_KEY_COLUMNS"));
        assertEquals("analytics-pg.db.svc", config.getData().get("OPL_POSTGRES_HOST"));
        assertEquals("require", config.getData().get("OPL_POSTGRES_SSLMODE"));
        assertEquals("ignore", config.getData().get("OPL_CDC_DELETES"));
        assertEquals("snowflake", config.getData().get("OPL_SINK_TYPE"));
        assertEquals(namespace + ".replicate", config.getData().get("OPL_CDC_NAME"));
        assertEquals(applied.getMetadata().getUid(), config.getMetadata().getOwnerReferences().get(0).getUid());

        Deployment deployment = awaitDeployment();
        assertEquals(1, deployment.getSpec().getReplicas());
        assertEquals("Recreate", deployment.getSpec().getStrategy().getType(), "never two replicators at once");
        assertEquals(applied.getMetadata().getUid(), deployment.getMetadata().getOwnerReferences().get(0).getUid());
        Container replicator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(List.of("cdc"), replicator.getArgs());
        assertEquals(OperatorHarness.RUNTIME_IMAGE, replicator.getImage());
        assertEquals("replicate-replicator-config", replicator.getEnvFrom().get(0).getConfigMapRef().getName());
        assertEquals(TestSyncs.POSTGRES_SECRET, env(replicator, "OPL_POSTGRES_PASSWORD").getValueFrom()
                .getSecretKeyRef().getName());
        assertEquals("username", env(replicator, "OPL_POSTGRES_USER").getValueFrom().getSecretKeyRef().getKey());
        assertEquals(TestPipelines.SNOWFLAKE_SECRET, env(replicator, "OPL_SNOWFLAKE_PRIVATE_KEY").getValueFrom()
                .getSecretKeyRef().getName());
        assertTrue(replicator.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals("/readyz", replicator.getReadinessProbe().getHttpGet().getPath());

        CdcSync pending = awaitStatus(s -> "Pending".equals(s.getStatus().phase()));
        assertEquals(pending.getMetadata().getGeneration(), pending.getStatus().observedGeneration());
        assertEquals("True", condition(pending, ConditionType.Reconciling).getStatus());

        reportRolledOut();
        CdcSync running = awaitStatus(s -> "Running".equals(s.getStatus().phase()));
        assertEquals("True", condition(running, ConditionType.Ready).getStatus());
        assertEquals("False", condition(running, ConditionType.Stalled).getStatus());
    }

    @Test
    void aPipelineRefReadsTheReferencedPipelinesSnowflakeTableWithItsKey() {
        client.resource(TestPipelines.pipeline(namespace, "orders", TestPipelines.snowflakeSpec())).create();
        applyWithSecrets(pipelineRefSpec("orders"));

        ConfigMap config = awaitConfigMap();
        assertEquals("pipelineRef", config.getData().get("OPL_CDC_SOURCE_MODE"));
        assertEquals("ORDERS", config.getData().get("OPL_CDC_SOURCE_TABLE"));
        assertEquals("RAW", config.getData().get("OPL_SNOWFLAKE_DATABASE"));
        assertEquals("LOADER", config.getData().get("OPL_SNOWFLAKE_USER"));
        Container replicator = awaitDeployment().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("passphrase", env(replicator, "OPL_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE").getValueFrom()
                .getSecretKeyRef().getKey());
    }

    @Test
    void aPipelineRefToAMissingPipelineStallsNamingTheFieldAndRecoversWhenItAppears() {
        applyWithSecrets(pipelineRefSpec("orders"));

        CdcSync stalled = awaitStatus(s -> "Stalled".equals(s.getStatus().phase()));
        Condition c = condition(stalled, ConditionType.Stalled);
        assertEquals(CdcSyncValidator.PIPELINE_NOT_FOUND, c.getReason());
        assertTrue(c.getMessage().contains("spec.source.pipelineRef.name"), c.getMessage());
        assertNull(deployment());
        await().atMost(WAIT).until(() -> eventReasons().contains(CdcSyncValidator.PIPELINE_NOT_FOUND));

        client.resource(TestPipelines.pipeline(namespace, "orders", TestPipelines.snowflakeSpec())).create();
        awaitDeployment();
        awaitStatus(s -> !"Stalled".equals(s.getStatus().phase()));
    }

    @Test
    void aPipelineRefToADuckDbPipelineStallsBecauseNoReplicatorCanReadThatFile() {
        OrderPipeline duck = TestPipelines.pipeline(namespace, "trial", new dev.orderpipeline.operator.api.OrderPipelineSpec(
                new dev.orderpipeline.operator.api.SourceSpec("kafka:9092", "orders", null, null, null, null, null),
                new dev.orderpipeline.operator.api.SinkSpec(dev.orderpipeline.operator.api.SinkSpec.Type.DUCKDB,
                        null, null, null, null), null, null, null, null, null, PipelineState.RUNNING));
        client.resource(duck).create();
        applyWithSecrets(pipelineRefSpec("trial"));

        CdcSync stalled = awaitStatus(s -> "Stalled".equals(s.getStatus().phase()));
        Condition c = condition(stalled, ConditionType.Stalled);
        assertEquals(SpecProblem.INVALID_SPEC, c.getReason());
        assertTrue(c.getMessage().contains("DuckDB"), c.getMessage());
    }

    @Test
    void aMissingPostgresSecretStallsNamingTheFieldAndCreatesNothing() {
        TestPipelines.secrets(namespace).forEach(s -> client.resource(s).create());
        client.resource(sync(namespace, "replicate", snowflakeCursorSpec())).create();

        CdcSync stalled = awaitStatus(s -> "Stalled".equals(s.getStatus().phase()));
        Condition c = condition(stalled, ConditionType.Stalled);
        assertEquals(SpecProblem.SECRET_NOT_FOUND, c.getReason());
        assertTrue(c.getMessage().contains("spec.target.username"), c.getMessage());
        assertNull(deployment());
        assertNull(configMap());
    }

    @Test
    void pausingStopsTheReplicatorAndResumingStartsItAgain() {
        applyWithSecrets(snowflakeCursorSpec());
        awaitDeployment();

        edit(s -> withState(s, PipelineState.PAUSED));
        await().atMost(WAIT).until(() -> deployment().getSpec().getReplicas() == 0);
        awaitStatus(s -> "Paused".equals(s.getStatus().phase()));
        await().atMost(WAIT).until(() -> eventReasons().contains("Paused"));

        edit(s -> withState(s, PipelineState.RUNNING));
        await().atMost(WAIT).until(() -> deployment().getSpec().getReplicas() == 1);
        await().atMost(WAIT).until(() -> eventReasons().contains("Resumed"));
    }

    @Test
    void pausingWinsOverAStalledSyncSoACrashLoopingReplicatorCanBeStopped() {
        applyWithSecrets(snowflakeCursorSpec());
        awaitDeployment();
        client.secrets().inNamespace(namespace).withName(TestSyncs.POSTGRES_SECRET).delete();
        awaitStatus(s -> "Stalled".equals(s.getStatus().phase()));
        assertEquals(1, deployment().getSpec().getReplicas(), "a stalled sync leaves its replicator alone");

        edit(s -> withState(s, PipelineState.PAUSED));

        await().atMost(WAIT).until(() -> deployment().getSpec().getReplicas() == 0);
        CdcSync paused = awaitStatus(s -> "Paused".equals(s.getStatus().phase()));
        Condition stalled = condition(paused, ConditionType.Stalled);
        assertEquals("True", stalled.getStatus(), "the broken Secret is still reported");
        assertEquals(SpecProblem.SECRET_NOT_FOUND, stalled.getReason());
    }

    @Test
    void aChildThatCannotBeWrittenIsReportedForThisGenerationAndRetriedUntilItCanWithoutAnEdit() {
        // Someone else's ConfigMap holds the replicator ConfigMap's name: it lacks the operator's label, so it is not
        // in the operator's cache, and creating the sync's own fails (409 AlreadyExists), as an outage would.
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("replicate-replicator-config")
                .withNamespace(namespace).endMetadata().addToData("owner", "another team").build()).create();
        applyWithSecrets(snowflakeCursorSpec());

        CdcSync failing = awaitStatus(s -> Conditions.find(s.getStatus().conditions(), ConditionType.Reconciling)
                .filter(c -> "ReconcileError".equals(c.getReason())).isPresent());
        assertEquals(failing.getMetadata().getGeneration(), failing.getStatus().observedGeneration(),
                "the status speaks for the current generation, so Argo CD does not wait for it forever");
        Condition reconciling = condition(failing, ConditionType.Reconciling);
        assertEquals("True", reconciling.getStatus());
        assertTrue(reconciling.getMessage().contains("retried") && reconciling.getMessage().contains("409"),
                reconciling.getMessage());
        assertEquals(failing.getMetadata().getGeneration(), reconciling.getObservedGeneration());
        assertEquals("False", condition(failing, ConditionType.Stalled).getStatus());
        assertFalse("Stalled".equals(failing.getStatus().phase()), "an outage or a conflict is retried, not a user's fault");
        await().atMost(WAIT).until(() -> eventReasons().contains("ReconcileError"));
        assertNull(deployment(), "the Deployment waits for its ConfigMap");

        // The cause goes away; nothing about the sync is edited, and it is looked at again on its own.
        client.configMaps().inNamespace(namespace).withName("replicate-replicator-config").delete();
        awaitDeployment();
        CdcSync recovered = awaitStatus(s -> Conditions.find(s.getStatus().conditions(), ConditionType.Reconciling)
                .filter(c -> !"ReconcileError".equals(c.getReason())).isPresent());
        assertEquals(1L, recovered.getMetadata().getGeneration(), "recovered without an edit");
        assertEquals(recovered.getMetadata().getUid(), configMap().getMetadata().getOwnerReferences().get(0).getUid(),
                "the operator's own ConfigMap now");
    }

    @Test
    void theRenderedEnvironmentParsesWithTheRuntimesOwnCdcConfigParserPageSizesIncluded() {
        client.resource(TestPipelines.pipeline(namespace, "orders", TestPipelines.snowflakeSpec())).create();
        applyWithSecrets(pipelineRefSpec("orders"));
        Deployment deployment = awaitDeployment();

        CdcConfigCheck.Parsed parsed = CdcConfigCheck.parse(client, namespace, deployment);

        assertEquals(namespace + ".replicate", parsed.name());
        assertEquals("PIPELINEREF", parsed.mode());
        assertEquals(TestSyncs.PG_PASSWORD, parsed.postgresPassword());
        assertEquals(TestPipelines.PRIVATE_KEY, parsed.snowflakePrivateKey());
        assertEquals(5000, parsed.batchSize(), "spec.batchSize sizes the pages of changes");
        assertEquals(20000, parsed.snapshotBatchSize(), "spec.snapshotBatchSize sizes the snapshot's pages");
        assertEquals(List.of(), parsed.undocumentedVariables());
    }

    @Test
    void theCursorSyncEnvironmentParsesToo() {
        applyWithSecrets(snowflakeCursorSpec());

        CdcConfigCheck.Parsed parsed = CdcConfigCheck.parse(client, namespace, awaitDeployment());

        assertEquals("CURSOR", parsed.mode());
        assertEquals(Duration.ofMinutes(10), parsed.cursorLookback());
        assertEquals(10000, parsed.batchSize(), "the runtime's default when the spec sets none");
        assertEquals(25000, parsed.snapshotBatchSize(), "the runtime's default when the spec sets none");
        assertEquals(List.of(), parsed.undocumentedVariables());
    }

    @Test
    void aVerifyFullTargetGetsItsCaCertificateAsAFileTheRuntimeHandsToTheDriverAndItsRotationRollsTheReplicator() {
        client.resource(new SecretBuilder().withNewMetadata().withName("analytics-pg-ca").withNamespace(namespace)
                .endMetadata().withStringData(Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
                .build()).create();
        CdcSyncSpec base = snowflakeCursorSpec();
        PostgresTargetSpec t = base.target();
        applyWithSecrets(new CdcSyncSpec(base.source(), base.keyColumns(), new PostgresTargetSpec(t.host(), t.port(),
                t.database(), t.schema(), t.table(), t.username(), t.password(), PostgresTargetSpec.SslMode.VERIFY_FULL,
                new SecretKeyReference("analytics-pg-ca", "ca.crt")), base.interval(), base.batchSize(), base.deletes(),
                base.state()));

        Deployment deployment = awaitDeployment();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container replicator = pod.getContainers().get(0);
        String file = SecretUse.SECRETS_DIR + "/postgres-ca/ca.crt";
        assertEquals(file, env(replicator, "OPL_POSTGRES_SSL_ROOT_CERT_FILE").getValue());
        Volume ca = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                && "analytics-pg-ca".equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertTrue(replicator.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(ca.getName())
                && m.getMountPath().equals(SecretUse.SECRETS_DIR + "/postgres-ca") && m.getReadOnly()));
        CdcConfigCheck.Parsed parsed = CdcConfigCheck.parse(client, namespace, deployment);
        assertEquals("verify-full", parsed.postgresSslmode());
        assertEquals(file, parsed.postgresSslRootCert(), "the driver's sslrootcert");

        // A new CA in the same Secret: the replicator pod rolls, as for any other referenced Secret.
        String before = deployment.getSpec().getTemplate().getMetadata().getAnnotations().get(SecretVersions.ANNOTATION);
        Secret secret = client.secrets().inNamespace(namespace).withName("analytics-pg-ca").get();
        secret.setStringData(Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"));
        client.resource(secret).update();
        await().atMost(WAIT).until(() -> !before.equals(deployment().getSpec().getTemplate().getMetadata()
                .getAnnotations().get(SecretVersions.ANNOTATION)));
    }

    @Test
    void noSecretValueAppearsInTheConfigMapAnEnvLiteralTheStatusOrAnEvent() {
        applyWithSecrets(snowflakeCursorSpec());
        awaitDeployment();
        awaitStatus(s -> s.getStatus().phase() != null);

        StringBuilder everything = new StringBuilder(client.getKubernetesSerialization().asJson(configMap()));
        deployment().getSpec().getTemplate().getSpec().getContainers().forEach(c -> c.getEnv()
                .forEach(e -> everything.append(e.getName()).append('=').append(e.getValue()).append('\n')));
        everything.append(client.getKubernetesSerialization().asJson(syncNow().getStatus()));
        client.v1().events().inNamespace(namespace).list().getItems()
                .forEach(e -> everything.append(e.getReason()).append(e.getMessage()).append('\n'));
        for (String secret : List.of(TestSyncs.PG_USER, TestSyncs.PG_PASSWORD, TestPipelines.PRIVATE_KEY)) {
            assertFalse(everything.toString().contains(secret), "a secret value leaked");
        }
    }

    // --- helpers ---

    private CdcSync applyWithSecrets(CdcSyncSpec spec) {
        TestPipelines.secrets(namespace).forEach(s -> client.resource(s).create());
        client.resource(postgresSecret(namespace)).create();
        return client.resource(sync(namespace, "replicate", spec)).create();
    }

    private static CdcSyncSpec withState(CdcSyncSpec s, PipelineState state) {
        return new CdcSyncSpec(s.source(), s.keyColumns(), s.target(), s.interval(), s.batchSize(), s.deletes(), state);
    }

    private void edit(UnaryOperator<CdcSyncSpec> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(CdcSync.class).inNamespace(namespace).withName("replicate").edit(s -> {
                    s.setSpec(change.apply(s.getSpec()));
                    return s;
                });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private void reportRolledOut() {
        Deployment current = deployment();
        current.setStatus(new DeploymentStatusBuilder().withObservedGeneration(current.getMetadata().getGeneration())
                .withReplicas(1).withReadyReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(1).build());
        client.resource(current).updateStatus();
    }

    private CdcSync awaitStatus(Predicate<CdcSync> condition) {
        await().atMost(WAIT).until(() -> {
            CdcSync s = syncNow();
            return s != null && s.getStatus() != null && condition.test(s);
        });
        return syncNow();
    }

    private CdcSync syncNow() {
        return client.resources(CdcSync.class).inNamespace(namespace).withName("replicate").get();
    }

    private Deployment awaitDeployment() {
        await().atMost(WAIT).until(() -> deployment() != null);
        return deployment();
    }

    private ConfigMap awaitConfigMap() {
        await().atMost(WAIT).until(() -> configMap() != null);
        return configMap();
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace(namespace).withName("replicate-replicator").get();
    }

    private ConfigMap configMap() {
        return client.configMaps().inNamespace(namespace).withName("replicate-replicator-config").get();
    }

    private List<String> eventReasons() {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> "replicate".equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in the replicator's env"));
    }

    private static Condition condition(CdcSync sync, ConditionType type) {
        return Conditions.find(sync.getStatus().conditions(), type)
                .orElseThrow(() -> new AssertionError(type + " condition missing"));
    }
}
