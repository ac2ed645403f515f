package dev.orderpipeline.operator.status;

/**
 * Why a pipeline cannot be reconciled until its owner acts.
 *
 * @param reason  CamelCase reason for the Stalled condition and the Event
 * @param field   the spec field at fault, e.g. spec.scaling.minReplicas
 * @param message what is wrong and how to fix it; never contains a secret value
 */
public record SpecProblem(String reason, String field, String message) {
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    public static final String SECRET_KEY_NOT_FOUND = "SecretKeyNotFound";
}
