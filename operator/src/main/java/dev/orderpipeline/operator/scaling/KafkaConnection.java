package dev.orderpipeline.operator.scaling;

import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * How the operator reaches a pipeline's Kafka cluster: the spec's bootstrap servers and protocol, and
 * the SASL credentials read from the referenced Secret. {@link #toString()} hides the credentials.
 */
public record KafkaConnection(String bootstrapServers, KafkaSecuritySpec.Protocol protocol,
                              KafkaSecuritySpec.SaslMechanism mechanism, String username, String password) {

    /** Admin client settings with short timeouts: a reconcile must not wait long for an unreachable broker. */
    public Properties adminProperties(String clientId, Duration timeout) {
        long ms = Math.max(500, timeout.toMillis());
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ms));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(ms));
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Long.toString(Math.min(ms, 1000)));
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Long.toString(ms));
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "1000");
        KafkaSecuritySpec.Protocol effective = protocol == null ? KafkaSecuritySpec.Protocol.PLAINTEXT : protocol;
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, effective.name());
        if (effective.usesSasl()) {
            KafkaSecuritySpec.SaslMechanism m = mechanism == null ? KafkaSecuritySpec.SaslMechanism.PLAIN : mechanism;
            String module = m == KafkaSecuritySpec.SaslMechanism.PLAIN
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            p.put(SaslConfigs.SASL_MECHANISM, m.kafkaName());
            p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasEscape(username)
                    + "\" password=\"" + jaasEscape(password) + "\";");
        }
        return p;
    }

    private static String jaasEscape(String value) {
        return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "KafkaConnection[" + bootstrapServers + ", " + protocol + ", " + mechanism + "]";
    }
}
