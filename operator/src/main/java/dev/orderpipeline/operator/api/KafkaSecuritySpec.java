package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** How the loader authenticates to Kafka (Confluent Cloud: SASL_SSL, PLAIN, an API key and secret). */
@ValidationRule(value = "!has(self.protocol) || !self.protocol.startsWith('SASL') || (has(self.username) && has(self.password))",
        message = "spec.source.security.username and password are required with a SASL protocol: reference the Secret "
                + "keys holding the API key and secret")
public record KafkaSecuritySpec(
        @JsonPropertyDescription("Kafka security protocol; SASL_SSL for Confluent Cloud. Default PLAINTEXT.")
        Protocol protocol,
        @JsonPropertyDescription("SASL mechanism; PLAIN for Confluent Cloud API keys. Default PLAIN.")
        SaslMechanism saslMechanism,
        @JsonPropertyDescription("Secret key holding the SASL user name (Confluent Cloud API key); required for SASL protocols.")
        SecretKeyReference username,
        @JsonPropertyDescription("Secret key holding the SASL password (Confluent Cloud API secret); required for SASL protocols.")
        SecretKeyReference password) {

    public enum Protocol {
        PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL;

        public boolean usesSasl() {
            return this == SASL_PLAINTEXT || this == SASL_SSL;
        }
    }

    public enum SaslMechanism {
        PLAIN,
        @JsonProperty("SCRAM-SHA-256") SCRAM_SHA_256,
        @JsonProperty("SCRAM-SHA-512") SCRAM_SHA_512;

        /** The name Kafka's client expects. */
        public String kafkaName() {
            return name().replace('_', '-');
        }
    }
}
