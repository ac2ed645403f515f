package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** How the loader authenticates to Kafka (Confluent Cloud: SASL_SSL, PLAIN, an API key and secret). */
@ValidationRule(value = "!has(self.protocol) || !self.protocol.startsWith('SASL') || (has(self.username) && has(self.password))",
        message = "spec.source.security.username and password are required with a SASL protocol: reference the Secret "
                + "keys holding the API key and secret")
@ValidationRule(value = "has(self.clientCertificate) == has(self.clientKey)",
        message = "spec.source.security.clientCertificate and clientKey go together (mutual TLS, e.g. a Strimzi "
                + "KafkaUser's user.crt and user.key): reference both Secret keys or neither")
@ValidationRule(value = "!(has(self.caCertificate) || has(self.clientCertificate)) || (has(self.protocol) "
        + "&& self.protocol in ['SSL', 'SASL_SSL'])",
        message = "spec.source.security.caCertificate and clientCertificate need TLS: set protocol to SSL or SASL_SSL")
public record KafkaSecuritySpec(
        @JsonPropertyDescription("Kafka security protocol; SASL_SSL for Confluent Cloud. Default PLAINTEXT.")
        Protocol protocol,
        @JsonPropertyDescription("SASL mechanism; PLAIN for Confluent Cloud API keys. Default PLAIN.")
        SaslMechanism saslMechanism,
        @JsonPropertyDescription("Secret key holding the SASL user name (Confluent Cloud API key); required for SASL protocols.")
        SecretKeyReference username,
        @JsonPropertyDescription("Secret key holding the SASL password (Confluent Cloud API secret); required for SASL protocols.")
        SecretKeyReference password,
        @JsonPropertyDescription("Secret key holding the PEM CA certificate(s) the brokers' certificates are checked "
                + "against (e.g. a Strimzi cluster's ca.crt); absent means the JVM's default trust store.")
        SecretKeyReference caCertificate,
        @JsonPropertyDescription("Secret key holding the PEM client certificate chain for mutual TLS (e.g. a Strimzi "
                + "KafkaUser's user.crt); needs clientKey.")
        SecretKeyReference clientCertificate,
        @JsonPropertyDescription("Secret key holding the unencrypted PKCS#8 PEM private key of clientCertificate (e.g. a "
                + "Strimzi KafkaUser's user.key).")
        SecretKeyReference clientKey) {

    /** SASL credentials only, the JVM's trust store (Confluent Cloud). */
    public KafkaSecuritySpec(Protocol protocol, SaslMechanism saslMechanism, SecretKeyReference username,
                             SecretKeyReference password) {
        this(protocol, saslMechanism, username, password, null, null, null);
    }

    /** Whether the loaders read SASL credentials. */
    public boolean usesSasl() {
        return protocol != null && protocol.usesSasl();
    }

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
