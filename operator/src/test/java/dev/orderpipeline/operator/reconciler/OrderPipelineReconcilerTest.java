package dev.orderpipeline.operator.reconciler;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static dev.orderpipeline.operator.TestPipelines.snowflakeSpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.SharedOperatorTest;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.ScalingSpec;
import dev.orderpipeline.operator.api.SchemaRegistrySpec;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.dependent.LoaderResources;
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
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrderPipelineReconcilerTest extends SharedOperatorTest {
    private String namespace;

    @BeforeEach
    void freshNamespace() {
        namespace = harness.newNamespace("opl");
    }

    @Test
    void appliedPipelineGetsAConfigMapOfPlainSettingsAndALoaderDeploymentOwnedByIt() {
        OrderPipeline applied = applyWithSecrets("orders", snowflakeSpec());

        ConfigMap config = awaitConfigMap("orders");
        assertEquals("myorg-myaccount", config.getData().get("OPL_SNOWFLAKE_ACCOUNT"));
        assertEquals("orders", config.getData().get("OPL_KAFKA_TOPIC"));
        assertEquals(namespace + ".orders", config.getData().get("OPL_KAFKA_GROUP_ID"));
        assertEquals("SASL_SSL", config.getData().get("OPL_KAFKA_SECURITY_PROTOCOL"));
        assertOwnedBy(applied, config.getMetadata().getOwnerReferences());

        Deployment deployment = awaitDeployment("orders");
        assertOwnedBy(applied, deployment.getMetadata().getOwnerReferences());
        assertEquals(2, deployment.getSpec().getReplicas());
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container loader = pod.getContainers().get(0);
        assertEquals(OperatorHarness.RUNTIME_IMAGE, loader.getImage());
        assertEquals(List.of("load"), loader.getArgs());
        assertEquals("orders-loader-config", loader.getEnvFrom().get(0).getConfigMapRef().getName());
        assertEquals("/healthz", loader.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/readyz", loader.getReadinessProbe().getHttpGet().getPath());
        assertEquals(8080, loader.getPorts().get(0).getContainerPort());
        assertNotNull(loader.getResources().getRequests().get("memory"));
        assertTrue(loader.getSecurityContext().getRunAsNonRoot());
        assertTrue(loader.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(loader.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), loader.getSecurityContext().getCapabilities().getDrop());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertEquals("RuntimeDefault", loader.getSecurityContext().getSeccompProfile().getType());
        EnvVar password = env(loader, "OPL_KAFKA_SASL_PASSWORD");
        assertEquals(TestPipelines.KAFKA_SECRET, password.getValueFrom().getSecretKeyRef().getName());
        assertEquals("api-secret", password.getValueFrom().getSecretKeyRef().getKey());
        assertEquals("snowflake-key", env(loader, "OPL_SNOWFLAKE_PRIVATE_KEY").getValueFrom().getSecretKeyRef().getName());
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("prod", podLabels.get("tags.datadoghq.com/env"));
        assertEquals("orders-loader", podLabels.get("tags.datadoghq.com/service"));
        assertEquals("1.2.3", podLabels.get("tags.datadoghq.com/version"));
        assertNotNull(deployment.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(LoaderResources.CONFIG_HASH_ANNOTATION));

        OrderPipeline reported = awaitStatus("orders", p -> "Pending".equals(p.getStatus().phase()));
        assertEquals(2, reported.getStatus().desiredReplicas());
        assertEquals(LoaderResources.labelSelector(reported), reported.getStatus().labelSelector());
        assertEquals(reported.getMetadata().getGeneration(), reported.getStatus().observedGeneration());
        assertConditionOf(reported, ConditionType.Reconciling, "True");
        assertConditionOf(reported, ConditionType.Stalled, "False");
    }

    @Test
    void pipelineBecomesReadyOnceItsLoaderDeploymentHasRolledOut() {
        applyWithSecrets("orders", snowflakeSpec());
        Deployment deployment = awaitDeployment("orders");
        reportRolledOut(deployment, 2);

        OrderPipeline ready = awaitStatus("orders", p -> "Running".equals(p.getStatus().phase()));
        assertConditionOf(ready, ConditionType.Ready, "True");
        assertConditionOf(ready, ConditionType.Reconciling, "False");
        assertEquals(2, ready.getStatus().readyReplicas());
        assertEquals(2, ready.getStatus().replicas());
    }

    @Test
    void changingTheSpecChangesTheConfigHashSoTheLoaderPodsRoll() {
        applyWithSecrets("orders", snowflakeSpec());
        String before = configHash(awaitDeployment("orders"));

        edit("orders", spec -> withTopic(spec, "orders-v2"));

        await().atMost(WAIT).until(() -> !before.equals(configHash(deployment("orders"))));
        assertEquals("orders-v2", configMap("orders").getData().get("OPL_KAFKA_TOPIC"));
    }

    @Test
    void pausingScalesTheLoadersToZeroAndResumingBringsThemBack() {
        applyWithSecrets("orders", snowflakeSpec());
        awaitDeployment("orders");

        edit("orders", spec -> withState(spec, PipelineState.PAUSED));
        await().atMost(WAIT).until(() -> deployment("orders").getSpec().getReplicas() == 0);
        OrderPipeline paused = awaitStatus("orders", p -> "Paused".equals(p.getStatus().phase()));
        assertConditionOf(paused, ConditionType.Ready, "False");
        assertTrue(reasonsOfEvents("orders").contains("Paused"));

        edit("orders", spec -> withState(spec, PipelineState.RUNNING));
        await().atMost(WAIT).until(() -> deployment("orders").getSpec().getReplicas() == 2);
        awaitStatus("orders", p -> !"Paused".equals(p.getStatus().phase()));
        await().atMost(WAIT).until(() -> reasonsOfEvents("orders").contains("Resumed"));
    }

    @Test
    void pausingWinsOverAStalledPipelineSoCrashLoopingLoadersCanBeStopped() {
        applyWithSecrets("orders", snowflakeSpec());
        awaitDeployment("orders");
        client.secrets().inNamespace(namespace).withName(TestPipelines.KAFKA_SECRET).delete();
        awaitStatus("orders", p -> "Stalled".equals(p.getStatus().phase()));
        assertEquals(2, deployment("orders").getSpec().getReplicas(), "a stalled pipeline leaves its loaders alone");

        edit("orders", spec -> withState(spec, PipelineState.PAUSED));

        await().atMost(WAIT).until(() -> deployment("orders").getSpec().getReplicas() == 0);
        OrderPipeline paused = awaitStatus("orders", p -> "Paused".equals(p.getStatus().phase()));
        Condition stalled = condition(paused, ConditionType.Stalled);
        assertEquals("True", stalled.getStatus(), "the broken Secret is still reported");
        assertEquals(SpecProblem.SECRET_NOT_FOUND, stalled.getReason());
    }

    @Test
    void minReplicasAboveMaxReplicasStallsNamingTheFieldAndLeavesTheLoadersAsTheyWere() {
        applyWithSecrets("orders", snowflakeSpec());
        Deployment before = awaitDeployment("orders");
        ConfigMap configBefore = awaitConfigMap("orders");

        edit("orders", spec -> withScaling(spec, new ScalingSpec(ScalingSpec.Mode.MANUAL, 2, 5, 3, null, null)));

        OrderPipeline stalled = awaitStatus("orders", p -> "Stalled".equals(p.getStatus().phase()));
        Condition condition = condition(stalled, ConditionType.Stalled);
        assertEquals("True", condition.getStatus());
        assertEquals(SpecProblem.INVALID_SPEC, condition.getReason());
        assertTrue(condition.getMessage().contains("spec.scaling.minReplicas"), condition.getMessage());
        assertTrue(condition.getMessage().contains("maxReplicas"), condition.getMessage());
        assertConditionOf(stalled, ConditionType.Ready, "False");
        assertEquals(stalled.getMetadata().getGeneration(), condition.getObservedGeneration());
        await().atMost(WAIT).until(() -> reasonsOfEvents("orders").contains(SpecProblem.INVALID_SPEC));
        assertEquals(before.getMetadata().getResourceVersion(), deployment("orders").getMetadata().getResourceVersion());
        assertEquals(configBefore.getMetadata().getResourceVersion(), configMap("orders").getMetadata().getResourceVersion());
    }

    @Test
    void aSchemaRegistryUrlCarryingCredentialsStallsNamingTheFieldWithoutRepeatingThem() {
        SourceSpec json = snowflakeSpec().source();
        OrderPipelineSpec spec = snowflakeSpec();
        applyWithSecrets("orders", new OrderPipelineSpec(new SourceSpec(json.bootstrapServers(), json.topic(),
                json.consumerGroup(), SourceSpec.Format.AVRO, null,
                new SchemaRegistrySpec("https://SRKEY42:srsecret-77@psrc-orders.region.invalid", null, null, null),
                json.startPosition(), json.offsetReset(), json.security()),
                spec.sink(), spec.batch(), spec.scaling(), spec.deadLetter(), spec.dbt(), spec.monitoring(), spec.state()));

        OrderPipeline stalled = awaitStatus("orders", p -> "Stalled".equals(p.getStatus().phase()));
        Condition condition = condition(stalled, ConditionType.Stalled);
        assertEquals(SpecProblem.INVALID_SPEC, condition.getReason());
        assertTrue(condition.getMessage().contains("spec.source.schemaRegistry.url must not carry credentials"),
                condition.getMessage());
        assertFalse(condition.getMessage().contains("SRKEY42") || condition.getMessage().contains("srsecret-77"),
                condition.getMessage());
        assertEquals(null, configMap("orders"), "nothing is rendered from it");
    }

    @Test
    void missingSecretStallsWithAnEventAndTheLoadersStartOnceTheSecretExists() {
        client.resource(pipeline(namespace, "orders", snowflakeSpec())).create();

        OrderPipeline stalled = awaitStatus("orders", p -> "Stalled".equals(p.getStatus().phase()));
        Condition condition = condition(stalled, ConditionType.Stalled);
        assertEquals(SpecProblem.SECRET_NOT_FOUND, condition.getReason());
        assertTrue(condition.getMessage().contains("spec.source.security.username"), condition.getMessage());
        assertTrue(condition.getMessage().contains(TestPipelines.KAFKA_SECRET), condition.getMessage());
        assertEquals(null, deployment("orders"));
        assertEquals(null, configMap("orders"));
        await().atMost(WAIT).until(() -> reasonsOfEvents("orders").contains(SpecProblem.SECRET_NOT_FOUND));

        secrets(namespace).forEach(secret -> client.resource(secret).create());

        awaitDeployment("orders");
        OrderPipeline recovered = awaitStatus("orders", p -> !"Stalled".equals(p.getStatus().phase()));
        assertConditionOf(recovered, ConditionType.Stalled, "False");
    }

    @Test
    void aChildThatCannotBeWrittenIsReportedForThisGenerationAndRetriedUntilItCanWithoutAnEdit() {
        // Someone else's ConfigMap holds the loader ConfigMap's name: it lacks the operator's label, so it is not in
        // the operator's cache, and creating the pipeline's own fails (409 AlreadyExists), as an outage would.
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("orders-loader-config").withNamespace(namespace)
                .endMetadata().addToData("owner", "another team").build()).create();
        applyWithSecrets("orders", snowflakeSpec());

        OrderPipeline failing = awaitStatus("orders", p -> Conditions.find(p.getStatus().conditions(), ConditionType.Reconciling)
                .filter(c -> "ReconcileError".equals(c.getReason())).isPresent());
        assertEquals(failing.getMetadata().getGeneration(), failing.getStatus().observedGeneration(),
                "the status speaks for the current generation, so Argo CD does not wait for it forever");
        Condition reconciling = condition(failing, ConditionType.Reconciling);
        assertEquals("True", reconciling.getStatus());
        assertTrue(reconciling.getMessage().contains("retried") && reconciling.getMessage().contains("409"),
                reconciling.getMessage());
        assertConditionOf(failing, ConditionType.Stalled, "False");
        assertNotEquals("Stalled", failing.getStatus().phase(), "an outage or a conflict is retried, not a user's fault");
        await().atMost(WAIT).until(() -> reasonsOfEvents("orders").contains("ReconcileError"));
        assertEquals(null, deployment("orders"), "the Deployment waits for its ConfigMap");

        // The cause goes away; nothing about the pipeline is edited, and it is looked at again on its own.
        client.configMaps().inNamespace(namespace).withName("orders-loader-config").delete();
        awaitDeployment("orders");
        OrderPipeline recovered = awaitStatus("orders", p -> Conditions.find(p.getStatus().conditions(),
                ConditionType.Reconciling).filter(c -> !"ReconcileError".equals(c.getReason())).isPresent());
        assertEquals(1L, recovered.getMetadata().getGeneration(), "recovered without an edit");
        assertEquals(recovered.getMetadata().getUid(),
                configMap("orders").getMetadata().getOwnerReferences().get(0).getUid(), "the operator's own ConfigMap now");
    }

    @Test
    void missingKeyInAnExistingSecretStallsNamingTheFieldAndTheKey() {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        OrderPipelineSpec spec = snowflakeSpec();
        client.resource(pipeline(namespace, "orders", withPrivateKeyKey(spec, "no-such-key"))).create();

        OrderPipeline stalled = awaitStatus("orders", p -> "Stalled".equals(p.getStatus().phase()));
        Condition condition = condition(stalled, ConditionType.Stalled);
        assertEquals(SpecProblem.SECRET_KEY_NOT_FOUND, condition.getReason());
        assertTrue(condition.getMessage().contains("spec.sink.snowflake.privateKey"), condition.getMessage());
        assertTrue(condition.getMessage().contains("no-such-key"), condition.getMessage());
        assertEquals(null, deployment("orders"));
    }

    @Test
    void noSecretValueAppearsInTheConfigMapAnEnvLiteralTheStatusOrAnEvent() {
        applyWithSecrets("orders", snowflakeSpec());
        awaitDeployment("orders");
        edit("orders", spec -> withScaling(spec, new ScalingSpec(ScalingSpec.Mode.MANUAL, 2, 5, 3, null, null)));
        awaitStatus("orders", p -> "Stalled".equals(p.getStatus().phase()));

        StringBuilder everything = new StringBuilder();
        everything.append(client.getKubernetesSerialization().asJson(configMap("orders")));
        deployment("orders").getSpec().getTemplate().getSpec().getContainers().forEach(c -> c.getEnv()
                .forEach(e -> everything.append(e.getName()).append('=').append(e.getValue()).append('\n')));
        everything.append(client.getKubernetesSerialization().asJson(pipelineNamed("orders").getStatus()));
        client.v1().events().inNamespace(namespace).list().getItems()
                .forEach(e -> everything.append(e.getReason()).append(e.getMessage()).append('\n'));
        for (String secret : TestPipelines.secretValues()) {
            assertFalse(everything.toString().contains(secret), "a secret value leaked: " + secret.substring(0, 4) + "...");
        }
        deployment("orders").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().startsWith("OPL_"))
                .forEach(e -> assertEquals(null, e.getValue(), e.getName() + " must come from a Secret"));
    }

    @Test
    void deletingThePipelineLeavesItsDependentsToGarbageCollectionThroughOwnerReferences() {
        OrderPipeline applied = applyWithSecrets("orders", snowflakeSpec());
        Deployment deployment = awaitDeployment("orders");
        // The mock server has no garbage collector; the owner reference is what lets Kubernetes delete them.
        assertOwnedBy(applied, deployment.getMetadata().getOwnerReferences());
        assertOwnedBy(applied, awaitConfigMap("orders").getMetadata().getOwnerReferences());
        client.resource(pipelineNamed("orders")).delete();
        // No finalizer is needed, so nothing holds the deletion up.
        await().atMost(WAIT).until(() -> pipelineNamed("orders") == null);
    }

    // --- helpers ---

    private OrderPipeline applyWithSecrets(String name, OrderPipelineSpec spec) {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        return client.resource(pipeline(namespace, name, spec)).create();
    }

    /** Changes the spec as a user would, retrying when the operator's status write got in between. */
    private void edit(String name, UnaryOperator<OrderPipelineSpec> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(OrderPipeline.class).inNamespace(namespace).withName(name).edit(p -> {
                    p.setSpec(change.apply(p.getSpec()));
                    return p;
                });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private void reportRolledOut(Deployment deployment, int replicas) {
        Deployment current = deployment("orders");
        current.setStatus(new DeploymentStatusBuilder().withObservedGeneration(current.getMetadata().getGeneration())
                .withReplicas(replicas).withReadyReplicas(replicas).withUpdatedReplicas(replicas)
                .withAvailableReplicas(replicas).build());
        client.resource(current).updateStatus();
    }

    private OrderPipeline awaitStatus(String name, java.util.function.Predicate<OrderPipeline> condition) {
        await().atMost(WAIT).until(() -> {
            OrderPipeline p = pipelineNamed(name);
            return p != null && p.getStatus() != null && condition.test(p);
        });
        return pipelineNamed(name);
    }

    private OrderPipeline pipelineNamed(String name) {
        return client.resources(OrderPipeline.class).inNamespace(namespace).withName(name).get();
    }

    private Deployment awaitDeployment(String name) {
        await().atMost(WAIT).until(() -> deployment(name) != null);
        return deployment(name);
    }

    private ConfigMap awaitConfigMap(String name) {
        await().atMost(WAIT).until(() -> configMap(name) != null);
        return configMap(name);
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name + "-loader").get();
    }

    private ConfigMap configMap(String name) {
        return client.configMaps().inNamespace(namespace).withName(name + "-loader-config").get();
    }

    private List<String> reasonsOfEvents(String name) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .map(Event::getReason).toList();
    }

    private static String configHash(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getAnnotations().get(LoaderResources.CONFIG_HASH_ANNOTATION);
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in the loader's env"));
    }

    private static void assertOwnedBy(OrderPipeline owner, List<io.fabric8.kubernetes.api.model.OwnerReference> refs) {
        assertEquals(1, refs.size());
        assertEquals("OrderPipeline", refs.get(0).getKind());
        assertEquals(owner.getMetadata().getUid(), refs.get(0).getUid());
    }

    private static Condition condition(OrderPipeline pipeline, ConditionType type) {
        return Conditions.find(pipeline.getStatus().conditions(), type)
                .orElseThrow(() -> new AssertionError(type + " condition missing"));
    }

    private static void assertConditionOf(OrderPipeline pipeline, ConditionType type, String status) {
        assertEquals(status, condition(pipeline, type).getStatus(), type + " condition");
    }

    static OrderPipelineSpec withTopic(OrderPipelineSpec s, String topic) {
        var source = s.source();
        return new OrderPipelineSpec(new dev.orderpipeline.operator.api.SourceSpec(source.bootstrapServers(), topic,
                source.consumerGroup(), source.format(), source.startPosition(), source.offsetReset(), source.security()),
                s.sink(), s.batch(), s.scaling(), s.deadLetter(), s.dbt(), s.monitoring(), s.state());
    }

    static OrderPipelineSpec withState(OrderPipelineSpec s, PipelineState state) {
        return new OrderPipelineSpec(s.source(), s.sink(), s.batch(), s.scaling(), s.deadLetter(), s.dbt(),
                s.monitoring(), state);
    }

    static OrderPipelineSpec withScaling(OrderPipelineSpec s, ScalingSpec scaling) {
        return new OrderPipelineSpec(s.source(), s.sink(), s.batch(), scaling, s.deadLetter(), s.dbt(),
                s.monitoring(), s.state());
    }

    static OrderPipelineSpec withPrivateKeyKey(OrderPipelineSpec s, String key) {
        var sf = s.sink().snowflake();
        var snowflake = new dev.orderpipeline.operator.api.SnowflakeSinkSpec(sf.account(), sf.url(), sf.user(), sf.role(),
                sf.warehouse(), sf.database(), sf.schema(),
                new dev.orderpipeline.operator.api.SecretKeyReference(sf.privateKey().name(), key),
                sf.privateKeyPassphrase());
        var sink = new dev.orderpipeline.operator.api.SinkSpec(s.sink().type(), s.sink().table(), s.sink().keyFields(),
                snowflake, s.sink().duckdb());
        return new OrderPipelineSpec(s.source(), sink, s.batch(), s.scaling(), s.deadLetter(), s.dbt(),
                s.monitoring(), s.state());
    }
}
