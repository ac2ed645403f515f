package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SinkSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Secret keys a pipeline's loaders will read, by the spec field that names them. */
final class SecretReferences {
    private SecretReferences() {
    }

    static Map<String, SecretKeyReference> byField(OrderPipelineSpec spec) {
        Map<String, SecretKeyReference> refs = new LinkedHashMap<>();
        KafkaSecuritySpec security = spec.source().security();
        if (security != null && security.protocol() != null && security.protocol().usesSasl()) {
            putIfSet(refs, "spec.source.security.username", security.username());
            putIfSet(refs, "spec.source.security.password", security.password());
        }
        if (spec.sink().type() == SinkSpec.Type.SNOWFLAKE && spec.sink().snowflake() != null) {
            putIfSet(refs, "spec.sink.snowflake.privateKey", spec.sink().snowflake().privateKey());
            putIfSet(refs, "spec.sink.snowflake.privateKeyPassphrase", spec.sink().snowflake().privateKeyPassphrase());
        }
        return refs;
    }

    private static void putIfSet(Map<String, SecretKeyReference> refs, String field, SecretKeyReference ref) {
        if (ref != null) {
            refs.put(field, ref);
        }
    }
}
