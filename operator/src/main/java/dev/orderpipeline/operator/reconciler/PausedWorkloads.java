package dev.orderpipeline.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Pausing wins over everything: a resource the workflow does not reconcile (its spec or a Secret is broken)
 * still gets its workload scaled to zero when the user pauses it, so crash-looping pods can be stopped. Only the
 * replica count changes; the rest of the Deployment keeps its last valid configuration.
 */
final class PausedWorkloads {
    private PausedWorkloads() {
    }

    /** Scales the resource's own Deployment (loaders or replicator) to zero, if it exists and is not there yet. */
    static void scaleToZero(Context<? extends HasMetadata> context) {
        context.getSecondaryResource(Deployment.class)
                .filter(d -> d.getSpec() != null && !Integer.valueOf(0).equals(d.getSpec().getReplicas()))
                .ifPresent(d -> context.getClient().apps().deployments().inNamespace(d.getMetadata().getNamespace())
                        .withName(d.getMetadata().getName()).scale(0));
    }
}
