package dev.orderpipeline.operator.reconciler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.TestSyncs;
import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.ConditionedStatus;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reconcile that keeps throwing (here: a child's name is taken, 409 on create) is looked at again every
 * {@code stalledRecheckSeconds}, by the re-check its error status asks for ({@code StatusWrites.failed}), and not
 * after JOSDK's maximum reconciliation interval (10 hours by default, 1 hour here). An error control with a
 * reschedule switches JOSDK's own retries off; this operator's retry is a single quick one, so that, were the
 * re-check dropped, JOSDK's default backoff (five retries over about 26 s) could not bring the resource back
 * within the test's wait and hide it.
 */
class ErrorRecheckTest {
    private static final Duration RECHECK = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static OperatorHarness harness;
    private static KubernetesClient client;

    @BeforeAll
    static void startOperator() {
        harness = OperatorHarness.startWithOneQuickRetry(RECHECK);
        client = harness.client();
    }

    @AfterAll
    static void stopOperator() {
        harness.close();
    }

    @Test
    void aPipelineWhoseChildCannotBeWrittenIsLookedAtAgainEveryRecheckAndRecoversWithoutAnEdit() {
        String namespace = harness.newNamespace("recheck-opl");
        String blocked = "orders-loader-config";
        blockName(namespace, blocked);
        TestPipelines.secrets(namespace).forEach(s -> client.resource(s).create());
        OrderPipeline pipeline = client.resource(TestPipelines.pipeline(namespace, "orders", TestPipelines.snowflakeSpec()))
                .create();

        assertRecheckedUntilTheCauseGoesAway(pipeline, OrderPipeline.class, namespace, blocked, "orders-loader");
    }

    @Test
    void aSyncWhoseChildCannotBeWrittenIsLookedAtAgainEveryRecheckAndRecoversWithoutAnEdit() {
        String namespace = harness.newNamespace("recheck-cdc");
        String blocked = "replicate-replicator-config";
        blockName(namespace, blocked);
        TestPipelines.secrets(namespace).forEach(s -> client.resource(s).create());
        client.resource(TestSyncs.postgresSecret(namespace)).create();
        CdcSync sync = client.resource(TestSyncs.sync(namespace, "replicate", TestSyncs.snowflakeCursorSpec())).create();

        assertRecheckedUntilTheCauseGoesAway(sync, CdcSync.class, namespace, blocked, "replicate-replicator");
    }

    /** Someone else's ConfigMap holds the name: not labelled as the operator's, so not in its cache either. */
    private static void blockName(String namespace, String name) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addToData("owner", "another team").build()).create();
    }

    private static <R extends CustomResource<?, ? extends ConditionedStatus>> void assertRecheckedUntilTheCauseGoesAway(
            R resource, Class<R> kind, String namespace, String blockedConfigMap, String deployment) {
        String name = resource.getMetadata().getName();
        await().atMost(WAIT).until(() -> {
            R now = client.resources(kind).inNamespace(namespace).withName(name).get();
            return now.getStatus() != null && Conditions.find(now.getStatus().conditions(), ConditionType.Reconciling)
                    .filter(c -> "ReconcileError".equals(c.getReason())).isPresent();
        });
        // JOSDK counts a failed reconcile as finished only when its error control asks for the re-check (and no
        // retry), so two of them while the cause stays are two re-checks.
        await().atMost(WAIT).until(() -> harness.reconcilesOf(resource) >= 2);
        assertTrue(Conditions.find(client.resources(kind).inNamespace(namespace).withName(name).get().getStatus()
                .conditions(), ConditionType.Reconciling).filter(c -> "ReconcileError".equals(c.getReason())).isPresent(),
                "still failing while it is looked at again");

        client.configMaps().inNamespace(namespace).withName(blockedConfigMap).delete();

        await().atMost(WAIT).until(() -> client.apps().deployments().inNamespace(namespace).withName(deployment).get() != null);
        R recovered = client.resources(kind).inNamespace(namespace).withName(name).get();
        assertEquals(1L, recovered.getMetadata().getGeneration(), "recovered without an edit");
        assertTrue(client.configMaps().inNamespace(namespace).withName(blockedConfigMap).get().getMetadata()
                .getOwnerReferences().stream().anyMatch(o -> o.getUid().equals(recovered.getMetadata().getUid())),
                "the operator's own ConfigMap now");
    }
}
