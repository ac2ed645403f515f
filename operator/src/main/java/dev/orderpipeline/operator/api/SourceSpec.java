package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The Kafka topic the orders are read from. */
@ValidationRule(value = "!((has(self.format) && self.format in ['avro', 'json_sr', 'protobuf']) || (has(self.keyFormat) "
        + "&& self.keyFormat in ['avro', 'json_sr', 'protobuf'])) || has(self.schemaRegistry)",
        message = "spec.source.schemaRegistry is required when format or keyFormat is avro, json_sr or protobuf: the "
                + "records carry a schema id only the registry resolves; add schemaRegistry.url")
public record SourceSpec(
        @Required @Pattern("^[^,\\s]+(,[^,\\s]+)*$")
        @JsonPropertyDescription("Kafka bootstrap servers, host:port[,host:port].")
        String bootstrapServers,
        @Required @Pattern(Patterns.KAFKA_TOPIC)
        @JsonPropertyDescription("Topic the orders are read from.")
        String topic,
        @Pattern(Patterns.KAFKA_TOPIC)
        @JsonPropertyDescription("Consumer group of the loaders; default <namespace>.<name>.")
        String consumerGroup,
        @JsonPropertyDescription("Format of the record values: json (schemaless JSON), avro, json_sr (JSON Schema) or "
                + "protobuf in Confluent's wire format with schemaRegistry, or string. Default json.")
        Format format,
        @JsonPropertyDescription("Format of the record keys, as format; a key is read for a tombstone's upsert key. Default "
                + "json: a JSON object of the key fields, or else the key's text as the one key field.")
        Format keyFormat,
        @JsonPropertyDescription("Schema Registry for avro, json_sr and protobuf topics (required with those formats).")
        SchemaRegistrySpec schemaRegistry,
        @JsonPropertyDescription("Where a new consumer group starts: earliest or latest. Default earliest.")
        StartPosition startPosition,
        @JsonPropertyDescription("What a loader does when a partition's offset stored with the warehouse is outside "
                + "the topic's log (retention removed records before they were loaded, or the topic was re-created): "
                + "fail holds the partition and reports it in the OffsetsInRange condition; earliest resumes from the "
                + "oldest retained record; latest skips to the end. Any reset is logged, counted and reported. "
                + "Default fail.")
        OffsetReset offsetReset,
        @JsonPropertyDescription("Protocol and credentials for the Kafka connection; absent means PLAINTEXT.")
        KafkaSecuritySpec security) {

    /** Schemaless JSON values, no registry. */
    public SourceSpec(String bootstrapServers, String topic, String consumerGroup, Format format,
                      StartPosition startPosition, OffsetReset offsetReset, KafkaSecuritySpec security) {
        this(bootstrapServers, topic, consumerGroup, format, null, null, startPosition, offsetReset, security);
    }

    public enum Format {
        @JsonProperty("json") JSON,
        @JsonProperty("avro") AVRO,
        @JsonProperty("json_sr") JSON_SR,
        @JsonProperty("protobuf") PROTOBUF,
        @JsonProperty("string") STRING;

        /** Avro, JSON Schema and Protobuf carry a schema id that only a registry resolves. */
        public boolean needsRegistry() {
            return this == AVRO || this == JSON_SR || this == PROTOBUF;
        }
    }

    public enum OffsetReset {
        @JsonProperty("fail") FAIL,
        @JsonProperty("earliest") EARLIEST,
        @JsonProperty("latest") LATEST
    }

    public enum StartPosition {
        @JsonProperty("earliest") EARLIEST,
        @JsonProperty("latest") LATEST
    }
}
