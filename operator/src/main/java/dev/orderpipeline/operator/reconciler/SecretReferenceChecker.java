package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.status.SpecProblem;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Checks that each referenced Secret key exists before pods are started with it; a missing key would
 * otherwise leave pods in CreateContainerConfigError with the cause hidden from the resource's owner.
 * Only the presence of keys and the Secrets' resource versions are looked at; no value is kept or reported.
 */
public final class SecretReferenceChecker {
    private final KubernetesClient client;

    public SecretReferenceChecker(KubernetesClient client) {
        this.client = client;
    }

    /** The first missing Secret or key, or the versions of every referenced Secret (they roll the pods). */
    public record Result(Optional<SpecProblem> problem, Map<String, String> versions) {
        static Result problem(SpecProblem problem) {
            return new Result(Optional.of(problem), Map.of());
        }
    }

    /**
     * @param references the references by the spec field that holds them (e.g. spec.source.security.password)
     */
    public Result check(String namespace, Map<String, SecretKeyReference> references) {
        Map<String, String> versions = new TreeMap<>();
        // Several references usually name one Secret (a key and its passphrase): read each Secret once.
        Map<String, Optional<Secret>> read = new HashMap<>();
        for (Map.Entry<String, SecretKeyReference> entry : references.entrySet()) {
            String field = entry.getKey();
            SecretKeyReference ref = entry.getValue();
            Secret secret = read.computeIfAbsent(ref.name(), name -> Optional.ofNullable(
                    client.secrets().inNamespace(namespace).withName(name).get())).orElse(null);
            if (secret == null) {
                return Result.problem(new SpecProblem(SpecProblem.SECRET_NOT_FOUND, field,
                        field + " refers to Secret '" + ref.name() + "', which does not exist in namespace '"
                                + namespace + "': create the Secret or correct " + field + ".name."));
            }
            boolean hasKey = (secret.getData() != null && secret.getData().containsKey(ref.key()))
                    || (secret.getStringData() != null && secret.getStringData().containsKey(ref.key()));
            if (!hasKey) {
                return Result.problem(new SpecProblem(SpecProblem.SECRET_KEY_NOT_FOUND, field,
                        field + " refers to key '" + ref.key() + "' of Secret '" + ref.name()
                                + "', which has no such key: add it to the Secret or correct " + field + ".key."));
            }
            versions.put(ref.name(), secret.getMetadata().getResourceVersion());
        }
        return new Result(Optional.empty(), versions);
    }
}
