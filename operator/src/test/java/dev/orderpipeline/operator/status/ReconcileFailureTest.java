package dev.orderpipeline.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.net.ConnectException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a failed reconcile is reported as: the API server refusing what the spec rendered, or the operator's
 * rights, need the user (Stalled); anything else is retried (Reconciling). The exceptions are the fabric8
 * client's and JOSDK's own, as the workflow throws them.
 */
class ReconcileFailureTest {

    @Test
    void aChildTheApiServerFindsInvalidNeedsTheUserAndKeepsTheApiServersWords() {
        ReconcileFailure failure = ReconcileFailure.of(workflowFailure(api(422,
                "CronJob.batch \"orders-dbt\" is invalid: spec.schedule: Invalid value: \"61 * * * *\"")));

        assertEquals("ChildRejected", failure.reason());
        assertTrue(failure.needsUser());
        assertTrue(failure.message().contains("spec.schedule: Invalid value"), failure.message());
        assertTrue(failure.message().contains("spec.dbt.schedule"), "names the spec field to fix: " + failure.message());
    }

    @Test
    void aRefusalOfTheOperatorsRightsNeedsTheUserAndPointsAtTheRbac() {
        ReconcileFailure failure = ReconcileFailure.of(workflowFailure(api(403,
                "poddisruptionbudgets.policy is forbidden: User \"system:serviceaccount:ops:opl\" cannot create")));

        assertEquals("Forbidden", failure.reason());
        assertTrue(failure.needsUser());
        assertTrue(failure.message().contains("RBAC"), failure.message());
    }

    @Test
    void anOutageAConflictOrAnUnreachableApiServerIsRetried() {
        for (Exception error : new Exception[] {api(500, "etcdserver: request timed out"), api(409, "the object has been modified"),
                new KubernetesClientException("Operation failed", new ConnectException("Connection refused"))}) {
            ReconcileFailure failure = ReconcileFailure.of(workflowFailure(error));
            assertEquals("ReconcileError", failure.reason(), error.toString());
            assertFalse(failure.needsUser(), error.toString());
            assertTrue(failure.message().contains("retried"), failure.message());
        }
    }

    @Test
    void aLongApiServerMessageIsAbridgedForTheCondition() {
        ReconcileFailure failure = ReconcileFailure.of(api(422, "x".repeat(5000)));

        assertTrue(failure.message().length() < 700, failure.message().length() + " characters");
    }

    private static KubernetesClientException api(int code, String message) {
        Status status = new StatusBuilder().withCode(code).withMessage(message).build();
        return new KubernetesClientException(status);
    }

    /** How JOSDK's workflow reports a dependent that failed. */
    private static Exception workflowFailure(Exception dependent) {
        return new AggregatedOperatorException("Exception(s) during workflow execution.",
                Map.of("LoaderConfigMapDependent", dependent));
    }
}
