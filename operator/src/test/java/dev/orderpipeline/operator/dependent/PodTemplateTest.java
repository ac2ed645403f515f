package dev.orderpipeline.operator.dependent;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.SharedOperatorTest;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PodTemplate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pipeline's pod template reaches its loader and dbt pods, over the operator's defaults but never over its safety. */
class PodTemplateTest extends SharedOperatorTest {
    private static final String IMAGE = "registry.example/pipeline-runtime:0.2.0-rc1";

    @Test
    void thePodTemplateSchedulesSizesAndLabelsTheLoadersWithoutTouchingTheirSecurityOrSelectors() {
        String namespace = harness.newNamespace("template");
        PodTemplate template = new PodTemplate(IMAGE,
                Map.of("team", "data", "app.kubernetes.io/name", "mine"), Map.of("cost-center", "42"),
                List.of(new LocalObjectReference("registry-pull")), Map.of("pool", "loaders"), null,
                List.of(new TolerationBuilder().withKey("dedicated").withValue("loaders").withEffect("NoSchedule").build()),
                null, "pipelines-high",
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
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName("orders-loader").get();
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
