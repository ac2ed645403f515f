package dev.orderpipeline.operator.scaling;

import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which Kafka Admin client a pipeline can share: the same bootstrap servers, reached with the same security
 * settings and the same credentials. Credentials are identified by their Secret references and the Secrets'
 * resourceVersions, never by their values: the key can be logged, and a rotated Secret (new resourceVersion)
 * gives a new key, hence a new client with the new credentials.
 *
 * @param namespace   the pipeline's namespace when it references Secrets (the same Secret name in two namespaces
 *                    is two credentials); null without references, so such pipelines share across namespaces
 * @param credentials {@code field=secret/key@resourceVersion} for each referenced Secret key of the security spec
 */
public record ConnectionKey(String bootstrapServers, KafkaSecuritySpec.Protocol protocol,
                            KafkaSecuritySpec.SaslMechanism mechanism, String namespace, List<String> credentials) {

    public ConnectionKey {
        credentials = List.copyOf(credentials);
    }

    /**
     * @param versions the resourceVersion of a Secret by its name, in the pipeline's namespace
     */
    public static ConnectionKey of(String bootstrapServers, KafkaSecuritySpec security, String namespace,
                                   Function<String, String> versions) {
        if (security == null) {
            return new ConnectionKey(bootstrapServers, null, null, null, List.of());
        }
        List<String> credentials = new ArrayList<>();
        if (security.usesSasl()) {
            add(credentials, "username", security.username(), versions);
            add(credentials, "password", security.password(), versions);
        }
        add(credentials, "caCertificate", security.caCertificate(), versions);
        add(credentials, "clientCertificate", security.clientCertificate(), versions);
        add(credentials, "clientKey", security.clientKey(), versions);
        return new ConnectionKey(bootstrapServers, security.protocol(),
                security.usesSasl() ? security.saslMechanism() : null,
                credentials.isEmpty() ? null : namespace, credentials);
    }

    private static void add(List<String> credentials, String field, SecretKeyReference ref,
                            Function<String, String> versions) {
        if (ref != null) {
            credentials.add(field + "=" + ref.name() + "/" + ref.key() + "@" + versions.apply(ref.name()));
        }
    }
}
