package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One key of a Secret in the resource's namespace; credentials are only ever named, never inlined. */
public record SecretKeyReference(
        @Required @Pattern(Patterns.OBJECT_NAME)
        @JsonPropertyDescription("Name of the Secret, in the same namespace as this resource.")
        String name,
        @Required @Pattern(Patterns.SECRET_KEY)
        @JsonPropertyDescription("Key inside the Secret whose value is used.")
        String key) {

    @Override
    public String toString() {
        return "Secret " + name + " key " + key;
    }
}
