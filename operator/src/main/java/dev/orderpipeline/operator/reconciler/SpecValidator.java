package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.ScalingSpec;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.status.SpecProblem;
import java.util.Optional;

/**
 * Rules that span several fields. The CRD carries most of them as CEL rules too, but an API server
 * that skips them (old versions, tests) must not lead to a broken Deployment.
 */
public final class SpecValidator {
    private SpecValidator() {
    }

    public static Optional<SpecProblem> validate(OrderPipelineSpec spec) {
        if (spec == null || spec.source() == null || spec.sink() == null || spec.sink().type() == null) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec",
                    "spec.source and spec.sink (with type) are required: add them to the resource."));
        }
        ScalingSpec scaling = spec.scaling();
        if (scaling != null && scaling.effectiveMinReplicas() > scaling.effectiveMaxReplicas()) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.scaling.minReplicas",
                    "spec.scaling.minReplicas (" + scaling.effectiveMinReplicas()
                            + ") is greater than spec.scaling.maxReplicas (" + scaling.effectiveMaxReplicas()
                            + "): lower minReplicas or raise maxReplicas."));
        }
        if (spec.sink().type() == SinkSpec.Type.SNOWFLAKE && spec.sink().snowflake() == null) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.sink.snowflake",
                    "spec.sink.snowflake is required when spec.sink.type is snowflake: add account, user, "
                            + "database, schema and privateKey."));
        }
        KafkaSecuritySpec security = spec.source().security();
        if (security != null && security.protocol() != null && security.protocol().usesSasl()) {
            if (security.username() == null) {
                return Optional.of(saslCredentialMissing("spec.source.security.username", security));
            }
            if (security.password() == null) {
                return Optional.of(saslCredentialMissing("spec.source.security.password", security));
            }
        }
        if (spec.source().schemaRegistry() == null && (needsRegistry(spec.source().format())
                || needsRegistry(spec.source().keyFormat()))) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.source.schemaRegistry",
                    "spec.source.schemaRegistry is required when format or keyFormat is avro, json_sr or protobuf: the "
                            + "records carry a schema id only the registry resolves; add schemaRegistry.url."));
        }
        if (spec.source().schemaRegistry() != null && spec.source().schemaRegistry().url() != null
                && URL_WITH_USER_INFO.matcher(spec.source().schemaRegistry().url()).find()) {
            // The URL itself is not repeated: it holds the credentials.
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.source.schemaRegistry.url",
                    "spec.source.schemaRegistry.url must not carry credentials (user:password@host): the URL is not a "
                            + "secret and would land in the loaders' ConfigMap; remove them from the URL and reference "
                            + "the API key and secret as spec.source.schemaRegistry.username and password."));
        }
        if (security != null && (security.clientCertificate() == null) != (security.clientKey() == null)) {
            String missing = security.clientKey() == null ? "spec.source.security.clientKey" : "spec.source.security.clientCertificate";
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, missing, missing + " is required for mutual TLS: "
                    + "reference the Secret keys of both the client certificate and its private key."));
        }
        if (spec.sink().type() == SinkSpec.Type.DUCKDB && scaling != null && (scaling.mode() == ScalingSpec.Mode.LAG
                || scaling.effectiveMinReplicas() > 1 || (scaling.replicas() != null && scaling.replicas() > 1)
                || (scaling.maxReplicas() != null && scaling.maxReplicas() > 1))) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.scaling",
                    "a duckdb sink runs at most one loader (one writer per DuckDB file; more loaders would split the "
                            + "partitions across private files): use spec.scaling.mode manual with replicas, minReplicas "
                            + "and maxReplicas of 1 or less, or load into Snowflake."));
        }
        if (spec.deadLetter() != null && spec.source().topic().equals(spec.deadLetter().topic())) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.deadLetter.topic",
                    "spec.deadLetter.topic is the source topic '" + spec.source().topic()
                            + "': bad records would be read again forever; name another topic."));
        }
        return Optional.empty();
    }

    /** The same test as the CRD's rule on spec.source.schemaRegistry (a resource may predate the rule). */
    private static final java.util.regex.Pattern URL_WITH_USER_INFO =
            java.util.regex.Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@");

    private static boolean needsRegistry(SourceSpec.Format format) {
        return format != null && format.needsRegistry();
    }

    private static SpecProblem saslCredentialMissing(String field, KafkaSecuritySpec security) {
        return new SpecProblem(SpecProblem.INVALID_SPEC, field, field + " is required when "
                + "spec.source.security.protocol is " + security.protocol()
                + ": reference the Secret key holding it (name and key).");
    }
}
