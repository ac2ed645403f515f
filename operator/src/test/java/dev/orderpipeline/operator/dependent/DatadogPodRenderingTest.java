package dev.orderpipeline.operator.dependent;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static dev.orderpipeline.operator.TestPipelines.snowflakeSpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.operator.SharedOperatorTest;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.DatadogSpec;
import dev.orderpipeline.operator.api.MonitoringSpec;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Datadog in the loader pods (monitoring.datadog) and the operator's own per-pipeline meters. */
class DatadogPodRenderingTest extends SharedOperatorTest {

    static OrderPipelineSpec withDatadog(OrderPipelineSpec s, DatadogSpec datadog) {
        return new OrderPipelineSpec(s.source(), s.sink(), s.batch(), s.scaling(), s.deadLetter(), s.dbt(),
                new MonitoringSpec(datadog), s.state());
    }

    @Test
    void datadogEnabledRendersUnifiedServiceTagsTheNodesAgentAndTheNamespaceTag() {
        String namespace = harness.newNamespace("dd");
        Deployment deployment = applyAndAwait(namespace, snowflakeSpec());
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("prod", labels.get("tags.datadoghq.com/env"));
        assertEquals("orders-loader", labels.get("tags.datadoghq.com/service"));
        assertEquals("1.2.3", labels.get("tags.datadoghq.com/version"));
        Container loader = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("metadata.labels['tags.datadoghq.com/env']", fieldPath(loader, "DD_ENV"));
        assertEquals("metadata.labels['tags.datadoghq.com/service']", fieldPath(loader, "DD_SERVICE"));
        assertEquals("metadata.labels['tags.datadoghq.com/version']", fieldPath(loader, "DD_VERSION"));
        assertEquals("status.hostIP", fieldPath(loader, "DD_AGENT_HOST"));
        assertEquals("metadata.namespace", fieldPath(loader, "OPL_NAMESPACE"));
        assertEquals("team:data", env(loader, "DD_TAGS").getValue());
        assertTrue(deployment.getSpec().getTemplate().getMetadata().getAnnotations().keySet().stream()
                .noneMatch(k -> k.startsWith("ad.datadoghq.com/")), "no OpenMetrics check unless asked for");
        // No credential appears anywhere but in secretKeyRefs.
        String yaml = client.getKubernetesSerialization().asYaml(deployment);
        TestPipelines.secretValues().forEach(v -> assertFalse(yaml.contains(v)));
        loader.getEnv().stream().filter(e -> e.getName().contains("KEY") || e.getName().contains("PASSWORD"))
                .forEach(e -> assertTrue(e.getValue() == null && e.getValueFrom().getSecretKeyRef() != null, e.getName()));

        // The operator's own meters of the pipeline, in its registry.
        String pipelineTag = namespace + ".orders";
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Gauge desired = harness.orderPipelineReconciler().metrics().registry().find(OperatorMetrics.REPLICAS_DESIRED)
                    .tags(OperatorMetrics.TAG_PIPELINE, pipelineTag, OperatorMetrics.TAG_NAMESPACE, namespace).gauge();
            return desired != null && desired.value() == 2.0;
        });
        Gauge ready = harness.orderPipelineReconciler().metrics().registry().find(OperatorMetrics.REPLICAS_READY)
                .tags(OperatorMetrics.TAG_PIPELINE, pipelineTag).gauge();
        assertEquals(0.0, ready.value());
    }

    @Test
    void openMetricsAnnotatesThePodsForTheAgentsCheckInsteadOfDogStatsD() throws Exception {
        String namespace = harness.newNamespace("dd");
        Deployment deployment = applyAndAwait(namespace, withDatadog(snowflakeSpec(),
                new DatadogSpec(true, "staging", null, "2.0.0", null, true)));
        Container loader = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertNull(env(loader, "DD_AGENT_HOST"), "scraped, so no DogStatsD to the agent");
        assertEquals("metadata.namespace", fieldPath(loader, "OPL_NAMESPACE"));
        String check = deployment.getSpec().getTemplate().getMetadata().getAnnotations()
                .get("ad.datadoghq.com/loader.checks");
        JsonNode instance = new ObjectMapper().readTree(check).path("openmetrics").path("instances").get(0);
        assertEquals("http://%%host%%:8080/metrics", instance.path("openmetrics_endpoint").asText());
        assertEquals("pipeline:" + namespace + ".orders", instance.path("tags").get(0).asText());
        assertEquals("orders", deployment.getSpec().getTemplate().getMetadata().getLabels().get("tags.datadoghq.com/service"));
        assertEquals("2.0.0", deployment.getSpec().getTemplate().getMetadata().getLabels().get("tags.datadoghq.com/version"));
    }

    @Test
    void withoutDatadogOnlyTheNamespaceTagIsRendered() {
        String namespace = harness.newNamespace("dd");
        Deployment deployment = applyAndAwait(namespace, withDatadog(snowflakeSpec(), null));
        Container loader = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("metadata.namespace", fieldPath(loader, "OPL_NAMESPACE"));
        assertNull(env(loader, "DD_AGENT_HOST"));
        assertNull(env(loader, "DD_ENV"));
        assertTrue(deployment.getSpec().getTemplate().getMetadata().getLabels().keySet().stream()
                .noneMatch(k -> k.startsWith("tags.datadoghq.com/")));
    }

    private static Deployment applyAndAwait(String namespace, OrderPipelineSpec spec) {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(pipeline(namespace, "orders", spec)).create();
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> client.apps().deployments().inNamespace(namespace).withName("orders-loader").get(), d -> d != null);
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    private static String fieldPath(Container container, String name) {
        EnvVar var = env(container, name);
        return var == null || var.getValueFrom() == null || var.getValueFrom().getFieldRef() == null ? null
                : var.getValueFrom().getFieldRef().getFieldPath();
    }
}
