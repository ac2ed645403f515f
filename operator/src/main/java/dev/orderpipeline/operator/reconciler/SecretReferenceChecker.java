package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.SecretKeyReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that each referenced Secret key exists before pods are started with it; a missing key would
 * otherwise leave pods in CreateContainerConfigError with the cause hidden from the resource's owner.
 * Only the presence of keys is looked at; no value is kept or reported.
 */
public final class SecretReferenceChecker {
    private final KubernetesClient client;

    public SecretReferenceChecker(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @param references the references by the spec field that holds them (e.g. spec.source.security.password)
     */
    public Optional<SpecProblem> firstProblem(String namespace, Map<String, SecretKeyReference> references) {
        for (Map.Entry<String, SecretKeyReference> entry : references.entrySet()) {
            String field = entry.getKey();
            SecretKeyReference ref = entry.getValue();
            Secret secret = client.secrets().inNamespace(namespace).withName(ref.name()).get();
            if (secret == null) {
                return Optional.of(new SpecProblem(SpecProblem.SECRET_NOT_FOUND, field,
                        field + " refers to Secret '" + ref.name() + "', which does not exist in namespace '"
                                + namespace + "': create the Secret or correct " + field + ".name."));
            }
            boolean hasKey = (secret.getData() != null && secret.getData().containsKey(ref.key()))
                    || (secret.getStringData() != null && secret.getStringData().containsKey(ref.key()));
            if (!hasKey) {
                return Optional.of(new SpecProblem(SpecProblem.SECRET_KEY_NOT_FOUND, field,
                        field + " refers to key '" + ref.key() + "' of Secret '" + ref.name()
                                + "', which has no such key: add it to the Secret or correct " + field + ".key."));
            }
        }
        return Optional.empty();
    }
}
