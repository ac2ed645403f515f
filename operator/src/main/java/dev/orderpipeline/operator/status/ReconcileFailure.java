package dev.orderpipeline.operator.status;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;

/**
 * Why applying a resource's children failed, told apart by what it takes to fix it: the API server
 * refusing what the spec rendered (invalid, forbidden) needs the user, everything else (an outage, a
 * conflict, a timeout) is retried.
 *
 * @param reason    CamelCase reason for the condition and the Event
 * @param message   what failed and what to do; the API server's own words, abridged; never a secret value
 * @param needsUser true when retrying cannot help until the spec, a Secret or the RBAC changes
 */
public record ReconcileFailure(String reason, String message, boolean needsUser) {
    private static final int MAX_DETAIL = 400;

    public static ReconcileFailure of(Exception error) {
        KubernetesClientException api = apiError(error);
        if (api != null && (api.getCode() == 422 || api.getCode() == 400)) {
            return new ReconcileFailure("ChildRejected", "The API server refused a resource rendered from this spec: "
                    + detail(api) + ". Fix the spec field behind the field it names (for example spec.dbt.schedule "
                    + "for a CronJob's spec.schedule).", true);
        }
        if (api != null && (api.getCode() == 401 || api.getCode() == 403)) {
            return new ReconcileFailure("Forbidden", "The operator may not write a child resource (ConfigMap, "
                    + "Deployment, …) of this resource: " + detail(api)
                    + ". Check the operator's RBAC (the chart's ClusterRole and watched namespaces).", true);
        }
        Throwable cause = api != null ? api : rootCause(error);
        return new ReconcileFailure("ReconcileError", "Applying the child resources (ConfigMap, Deployment, …) failed "
                + "and is retried: " + cause.getClass().getSimpleName() + ": " + abridge(String.valueOf(cause.getMessage())),
                false);
    }

    /** The API server's answer, through causes and JOSDK's aggregate of the dependents' failures. */
    private static KubernetesClientException apiError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() > 0) {
                return k;
            }
            if (t instanceof AggregatedOperatorException aggregated) {
                for (Exception each : aggregated.getAggregatedExceptions().values()) {
                    KubernetesClientException k = apiError(each);
                    if (k != null) {
                        return k;
                    }
                }
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String detail(KubernetesClientException api) {
        String text = api.getStatus() != null && api.getStatus().getMessage() != null
                ? api.getStatus().getMessage() : api.getMessage();
        return abridge(text);
    }

    private static String abridge(String text) {
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text;
    }
}
