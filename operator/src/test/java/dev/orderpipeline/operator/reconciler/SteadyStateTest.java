package dev.orderpipeline.operator.reconciler;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static dev.orderpipeline.operator.TestPipelines.snowflakeSpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.TestSyncs;
import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.OrderPipeline;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GitOps tools watch resourceVersions: a pipeline with nothing new to report must cause no writes. */
class SteadyStateTest {
    private OperatorHarness harness;
    private KubernetesClient client;
    private String namespace;

    @BeforeEach
    void startOperatorThatResyncsEvery200Milliseconds() {
        harness = OperatorHarness.startWithResyncEvery(Duration.ofMillis(200));
        client = harness.client();
        namespace = harness.newNamespace("steady");
    }

    @AfterEach
    void stopOperator() {
        harness.close();
    }

    @Test
    void manyReconcilesOfAnUnchangedRunningPipelineWriteNoStatusNoWorkloadAndNoEvent() {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        OrderPipeline created = client.resource(pipeline(namespace, "orders", snowflakeSpec())).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> deployment() != null);
        Deployment current = deployment();
        current.setStatus(new DeploymentStatusBuilder().withObservedGeneration(current.getMetadata().getGeneration())
                .withReplicas(2).withReadyReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(2).build());
        client.resource(current).updateStatus();
        await().atMost(Duration.ofSeconds(20)).until(() -> "Running".equals(statusPhase()));

        String pipelineVersion = pipelineNow().getMetadata().getResourceVersion();
        String deploymentVersion = deployment().getMetadata().getResourceVersion();
        String configVersion = client.configMaps().inNamespace(namespace).withName("orders-loader-config").get()
                .getMetadata().getResourceVersion();
        int events = client.v1().events().inNamespace(namespace).list().getItems().size();
        int reconcilesBefore = harness.reconcilesOf(created);

        await().atMost(Duration.ofSeconds(20)).until(() -> harness.reconcilesOf(created) >= reconcilesBefore + 8);

        assertEquals(pipelineVersion, pipelineNow().getMetadata().getResourceVersion(), "the OrderPipeline was written");
        assertEquals(deploymentVersion, deployment().getMetadata().getResourceVersion(), "the Deployment was written");
        assertEquals(configVersion, client.configMaps().inNamespace(namespace).withName("orders-loader-config").get()
                .getMetadata().getResourceVersion(), "the ConfigMap was written");
        assertEquals(events, client.v1().events().inNamespace(namespace).list().getItems().size(),
                () -> "events were added: " + eventSummary());
        assertTrue(harness.reconcilesOf(created) >= reconcilesBefore + 8);
    }

    @Test
    void manyReconcilesOfAnUnchangedCdcSyncWriteNothing() {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(TestSyncs.postgresSecret(namespace)).create();
        CdcSync created = client.resource(TestSyncs.sync(namespace, "replicate", TestSyncs.snowflakeCursorSpec())).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> replicator() != null);
        Deployment current = replicator();
        current.setStatus(new DeploymentStatusBuilder().withObservedGeneration(current.getMetadata().getGeneration())
                .withReplicas(1).withReadyReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(1).build());
        client.resource(current).updateStatus();
        await().atMost(Duration.ofSeconds(20)).until(() -> syncNow().getStatus() != null
                && "Running".equals(syncNow().getStatus().phase()));

        String syncVersion = syncNow().getMetadata().getResourceVersion();
        String deploymentVersion = replicator().getMetadata().getResourceVersion();
        int events = client.v1().events().inNamespace(namespace).list().getItems().size();
        int reconcilesBefore = harness.reconcilesOf(created);

        await().atMost(Duration.ofSeconds(20)).until(() -> harness.reconcilesOf(created) >= reconcilesBefore + 8);

        assertEquals(syncVersion, syncNow().getMetadata().getResourceVersion(), "the CdcSync was written");
        assertEquals(deploymentVersion, replicator().getMetadata().getResourceVersion(), "the Deployment was written");
        assertEquals(events, client.v1().events().inNamespace(namespace).list().getItems().size(), "events were added");
    }

    private String eventSummary() {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .map(e -> e.getReason() + "@" + e.getFirstTimestamp() + ": " + e.getMessage()).toList().toString();
    }

    private CdcSync syncNow() {
        return client.resources(CdcSync.class).inNamespace(namespace).withName("replicate").get();
    }

    private Deployment replicator() {
        return client.apps().deployments().inNamespace(namespace).withName("replicate-replicator").get();
    }

    private OrderPipeline pipelineNow() {
        return client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").get();
    }

    private String statusPhase() {
        OrderPipeline p = pipelineNow();
        return p == null || p.getStatus() == null ? null : p.getStatus().phase();
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace(namespace).withName("orders-loader").get();
    }
}
