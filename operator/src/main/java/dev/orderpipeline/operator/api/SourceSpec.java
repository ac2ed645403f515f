package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The Kafka topic the orders are read from. */
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
        @JsonPropertyDescription("Record format of the topic; only json today. Default json.")
        Format format,
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

    public enum Format {
        @JsonProperty("json") JSON
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
