package dev.orderpipeline.config;

import java.util.Optional;

/** Where the loader reads from, and how it authenticates. Secrets are held only in memory. */
public record KafkaSourceConfig(
        String bootstrapServers,
        String topic,
        String groupId,
        StartPosition startPosition,
        OffsetReset offsetReset,
        java.time.Duration sessionTimeout,
        SecurityProtocol securityProtocol,
        String saslMechanism,
        Optional<SaslCredentials> credentials,
        FormatConfig format) {

    public enum StartPosition { EARLIEST, LATEST }

    /** What a partition whose stored offset lies outside its log does (OPL_KAFKA_OFFSET_RESET). */
    public enum OffsetReset { FAIL, EARLIEST, LATEST }

    public enum SecurityProtocol { PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL }

    /** A Confluent Cloud API key and secret; {@link #toString()} never shows the secret. */
    public record SaslCredentials(String username, String password) {
        @Override
        public String toString() {
            return "SaslCredentials[username=" + username + ", password=<redacted>]";
        }
    }

    static KafkaSourceConfig from(Environment env, String pipelineName) {
        String topic = env.required(Setting.KAFKA_TOPIC);
        TopicNames.requireValid(Setting.KAFKA_TOPIC, topic);
        SecurityProtocol protocol = env.choice(Setting.KAFKA_SECURITY_PROTOCOL, SecurityProtocol.class);
        Optional<SaslCredentials> credentials = Optional.empty();
        if (protocol == SecurityProtocol.SASL_SSL || protocol == SecurityProtocol.SASL_PLAINTEXT) {
            String why = "when " + Setting.KAFKA_SECURITY_PROTOCOL.envName() + "=" + protocol;
            credentials = Optional.of(new SaslCredentials(
                    env.required(Setting.KAFKA_SASL_USERNAME, why), env.required(Setting.KAFKA_SASL_PASSWORD, why)));
        }
        return new KafkaSourceConfig(
                env.required(Setting.KAFKA_BOOTSTRAP_SERVERS),
                topic,
                env.optional(Setting.KAFKA_GROUP_ID).orElse(pipelineName),
                env.choice(Setting.KAFKA_START_POSITION, StartPosition.class),
                env.choice(Setting.KAFKA_OFFSET_RESET, OffsetReset.class),
                env.duration(Setting.KAFKA_SESSION_TIMEOUT),
                protocol,
                env.required(Setting.KAFKA_SASL_MECHANISM),
                credentials,
                FormatConfig.from(env));
    }
}
