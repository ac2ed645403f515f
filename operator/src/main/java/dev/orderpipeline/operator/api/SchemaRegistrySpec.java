package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The Confluent-compatible Schema Registry that holds the topic's Avro, JSON Schema or Protobuf schemas. */
@ValidationRule(value = "has(self.username) == has(self.password)",
        message = "spec.source.schemaRegistry.username and password go together (Confluent Cloud: the Schema Registry "
                + "API key and secret): reference both Secret keys or neither")
@ValidationRule(value = "!self.url.matches('^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@')",
        message = "spec.source.schemaRegistry.url must not carry credentials (user:password@host): the URL is not a "
                + "secret and lands in the loaders' ConfigMap; reference the API key and secret as username and password")
public record SchemaRegistrySpec(
        @Required @Pattern("^https?://[^\\s]+$")
        @JsonPropertyDescription("Base URL of the Schema Registry, e.g. https://psrc-xxxxx.region.provider.confluent.cloud.")
        String url,
        @JsonPropertyDescription("Secret key holding the HTTP basic-auth user (Confluent Cloud: the Schema Registry API key).")
        SecretKeyReference username,
        @JsonPropertyDescription("Secret key holding the HTTP basic-auth password (Confluent Cloud: the Schema Registry "
                + "API secret).")
        SecretKeyReference password,
        @JsonPropertyDescription("Secret key holding the PEM CA certificate(s) to trust for an https URL signed by a "
                + "private CA; absent means the JVM's default trust store.")
        SecretKeyReference caCertificate) {
}
