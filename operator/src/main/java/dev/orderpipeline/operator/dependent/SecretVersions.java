package dev.orderpipeline.operator.dependent;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;

/**
 * The resource versions of the Secrets a workload reads, as one digest on its pod template: a rotated
 * Secret (new content, new resourceVersion) rolls the pods, which read credentials only at start-up.
 * The reconciler reads the versions while it checks the references and hands them over in the context.
 */
public final class SecretVersions {
    public static final String ANNOTATION = "orderpipeline.dev/secret-versions";
    static final String CONTEXT_KEY = "secret-versions";

    private SecretVersions() {
    }

    public static void put(Context<? extends HasMetadata> context, Map<String, String> versionsByName) {
        if (!versionsByName.isEmpty()) {
            StringBuilder text = new StringBuilder();
            versionsByName.forEach((name, version) -> text.append(name).append('@').append(version).append('\n'));
            context.managedWorkflowAndDependentResourceContext().put(CONTEXT_KEY, LoaderEnvironment.shortDigest(text.toString()));
        }
    }

    /** The annotation to add, if the workload reads any Secret. */
    static Optional<String> digest(Context<? extends HasMetadata> context) {
        return context.managedWorkflowAndDependentResourceContext().get(CONTEXT_KEY, String.class);
    }
}
