package dev.orderpipeline.operator.dependent;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.SharedOperatorTest;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.TestSyncs;
import dev.orderpipeline.operator.api.CdcSyncSpec;
import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PodTemplate;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A resource's pod template reaches its loader, dbt and replicator pods, over the operator's defaults but never
 * over its safety.
 */
class PodTemplateTest extends SharedOperatorTest {
    private static final String IMAGE = "registry.example/pipeline-runtime:0.2.0-rc1";
    private static final Affinity ON_LOADER_NODES = new AffinityBuilder().withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchExpression()
            .withKey("node.kubernetes.io/instance-type").withOperator("In").withValues("m6i.xlarge").endMatchExpression()
            .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
    private static final TopologySpreadConstraint ZONE_SPREAD = new TopologySpreadConstraintBuilder()
            .withMaxSkew(1).withTopologyKey("topology.kubernetes.io/zone").withWhenUnsatisfiable("ScheduleAnyway").build();

    @Test
    void thePodTemplateSchedulesSizesAndLabelsTheLoadersWithoutTouchingTheirSecurityOrSelectors() {
        String namespace = harness.newNamespace("template");
        PodTemplate template = new PodTemplate(IMAGE,
                Map.of("team", "data", "app.kubernetes.io/name", "mine"), Map.of("cost-center", "42"),
                List.of(new LocalObjectReference("registry-pull")), Map.of("pool", "loaders"), ON_LOADER_NODES,
                List.of(new TolerationBuilder().withKey("dedicated").withValue("loaders").withEffect("NoSchedule").build()),
                List.of(ZONE_SPREAD), "pipelines-high",
                new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("2")).addToLimits("memory", new Quantity("4Gi")).build(),
                "orders-loader-identity");
        apply(namespace, withTemplate(TestPipelines.snowflakeSpec(), template, null));

        Deployment deployment = await().atMost(WAIT).until(
                () -> client.apps().deployments().inNamespace(namespace).withName("orders-loader").get(), d -> d != null);
        PodTemplateSpec pod = deployment.getSpec().getTemplate();
        PodSpec spec = pod.getSpec();
        Container loader = spec.getContainers().get(0);
        assertEquals(IMAGE, loader.getImage(), "one pipeline upgraded on its own");
        assertEquals("0.2.0-rc1", pod.getMetadata().getLabels().get(LoaderDeploymentDependent.DD_VERSION_LABEL));
        assertEquals(List.of(new LocalObjectReference("registry-pull")), spec.getImagePullSecrets());
        assertEquals(Map.of("pool", "loaders"), spec.getNodeSelector());
        assertEquals("dedicated", spec.getTolerations().get(0).getKey());
        assertEquals(ON_LOADER_NODES, spec.getAffinity());
        assertEquals(List.of(ZONE_SPREAD), spec.getTopologySpreadConstraints());
        assertEquals("pipelines-high", spec.getPriorityClassName());
        assertEquals("orders-loader-identity", spec.getServiceAccountName());
        assertFalse(spec.getAutomountServiceAccountToken(), "the runtime does not call the Kubernetes API");
        assertEquals(new Quantity("2"), loader.getResources().getRequests().get("cpu"));
        assertEquals("data", pod.getMetadata().getLabels().get("team"));
        assertEquals("42", pod.getMetadata().getAnnotations().get("cost-center"));
        // The operator's labels win: the Deployment's selector must keep matching its pods.
        assertEquals(deployment.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/name"),
                pod.getMetadata().getLabels().get("app.kubernetes.io/name"));
        assertTrue(pod.getMetadata().getAnnotations().containsKey(LoaderResources.CONFIG_HASH_ANNOTATION));
        assertTrue(spec.getSecurityContext().getRunAsNonRoot());
        assertTrue(loader.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(new Quantity("1Gi"), spec.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst()
                .orElseThrow().getEmptyDir().getSizeLimit());
        assertEquals(60, loader.getStartupProbe().getFailureThreshold());
        // A GC pause or a long commit does not fail liveness: /healthz answers from its own thread within 5 s.
        assertEquals(5, loader.getLivenessProbe().getTimeoutSeconds());
        assertEquals(6, loader.getLivenessProbe().getFailureThreshold());
    }

    @Test
    void aCdcSyncsPodTemplateReachesItsReplicatorWhichADrainEvictsOneAtATime() {
        String namespace = harness.newNamespace("template");
        TestPipelines.secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(TestSyncs.postgresSecret(namespace)).create();
        PodTemplate template = new PodTemplate(IMAGE, Map.of("team", "analytics"), null,
                List.of(new LocalObjectReference("registry-pull")), Map.of("pool", "replicators"), ON_LOADER_NODES, null,
                List.of(ZONE_SPREAD), "pipelines-high",
                new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("2Gi")).build(), "replicator-identity");
        CdcSyncSpec base = TestSyncs.snowflakeCursorSpec();
        client.resource(TestSyncs.sync(namespace, "replicate", new CdcSyncSpec(base.source(), base.keyColumns(),
                base.target(), base.interval(), base.batchSize(), base.snapshotBatchSize(), base.deletes(), base.state(), template)))
                .create();

        Deployment deployment = await().atMost(WAIT).until(
                () -> client.apps().deployments().inNamespace(namespace).withName("replicate-replicator").get(), d -> d != null);
        PodTemplateSpec pod = deployment.getSpec().getTemplate();
        PodSpec spec = pod.getSpec();
        Container replicator = spec.getContainers().get(0);
        assertEquals(IMAGE, replicator.getImage());
        assertEquals(List.of(new LocalObjectReference("registry-pull")), spec.getImagePullSecrets());
        assertEquals(Map.of("pool", "replicators"), spec.getNodeSelector());
        assertEquals(ON_LOADER_NODES, spec.getAffinity());
        assertEquals(List.of(ZONE_SPREAD), spec.getTopologySpreadConstraints());
        assertEquals("pipelines-high", spec.getPriorityClassName());
        assertEquals("replicator-identity", spec.getServiceAccountName());
        assertFalse(spec.getAutomountServiceAccountToken());
        assertEquals(new Quantity("2Gi"), replicator.getResources().getLimits().get("memory"));
        assertEquals("analytics", pod.getMetadata().getLabels().get("team"));
        assertTrue(spec.getSecurityContext().getRunAsNonRoot());
        assertTrue(replicator.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(1, deployment.getSpec().getReplicas(), "the template does not change how many replicators run");

        PodDisruptionBudget budget = await().atMost(WAIT).until(() -> client.policy().v1().podDisruptionBudget()
                .inNamespace(namespace).withName("replicate-replicator").get(), b -> b != null);
        assertEquals(1, budget.getSpec().getMaxUnavailable().getIntVal());
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), budget.getSpec().getSelector().getMatchLabels());
        assertEquals("CdcSync", budget.getMetadata().getOwnerReferences().get(0).getKind(), "deleted with its sync");
    }

    @Test
    void dbtPodsFollowTheSchedulingOfThePodTemplateButKeepTheirOwnImage() {
        String namespace = harness.newNamespace("template");
        PodTemplate template = new PodTemplate(IMAGE, null, null, List.of(new LocalObjectReference("registry-pull")),
                Map.of("pool", "batch"), null, null, null, null, null, null);
        DbtSpec dbt = new DbtSpec("registry.example/orders-dbt:1.0.0", null, List.of("build"), "0 * * * *", "snowflake",
                null, null);
        apply(namespace, withTemplate(TestPipelines.snowflakeSpec(), template, dbt));

        CronJob cron = await().atMost(WAIT).until(
                () -> client.batch().v1().cronjobs().inNamespace(namespace).withName("orders-dbt").get(), c -> c != null);
        PodSpec pod = cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertEquals("registry.example/orders-dbt:1.0.0", pod.getContainers().get(0).getImage());
        assertEquals(Map.of("pool", "batch"), pod.getNodeSelector());
        assertEquals(List.of(new LocalObjectReference("registry-pull")), pod.getImagePullSecrets());
    }

    @Test
    void aDrainEvictsOneLoaderAtATime() {
        String namespace = harness.newNamespace("template");
        apply(namespace, TestPipelines.snowflakeSpec());

        PodDisruptionBudget budget = await().atMost(WAIT).until(() -> client.policy().v1().podDisruptionBudget()
                .inNamespace(namespace).withName("orders-loader").get(), b -> b != null);
        assertEquals(1, budget.getSpec().getMaxUnavailable().getIntVal());
        // The budget and the Deployment are separate dependents: either may be created first.
        Deployment deployment = await().atMost(WAIT).until(
                () -> client.apps().deployments().inNamespace(namespace).withName("orders-loader").get(), d -> d != null);
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), budget.getSpec().getSelector().getMatchLabels());
        assertEquals("OrderPipeline", budget.getMetadata().getOwnerReferences().get(0).getKind(),
                "deleted with its pipeline");
    }

    private static OrderPipelineSpec withTemplate(OrderPipelineSpec s, PodTemplate template, DbtSpec dbt) {
        return new OrderPipelineSpec(s.source(), s.sink(), s.batch(), s.scaling(), s.deadLetter(), dbt, s.monitoring(),
                s.state(), template);
    }

    private static void apply(String namespace, OrderPipelineSpec spec) {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(pipeline(namespace, "orders", spec)).create();
    }
}
