package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Where records go that cannot be parsed or loaded. */
public record DeadLetterSpec(
        @Required @Pattern(Patterns.KAFKA_TOPIC)
        @JsonPropertyDescription("Dead-letter topic; must differ from the source topic.")
        String topic,
        @JsonPropertyDescription("all: bad records go to the dead-letter topic; none: the loader stops at the first one. Default all.")
        ErrorTolerance errorTolerance) {

    public enum ErrorTolerance {
        @JsonProperty("none") NONE,
        @JsonProperty("all") ALL
    }
}
