package dev.orderpipeline.format;

/**
 * A schema as the registry returns it by id or GUID.
 *
 * @param type AVRO, JSON or PROTOBUF (the registry leaves it out for Avro)
 * @param versions where it is registered, e.g. "subject orders-value version 2", for messages; "" when unknown
 */
public record RegisteredSchema(int id, String type, String text, String versions) {

    /** "schema id 7 (subject orders-value version 2)": what a message names. */
    public String describe() {
        return "schema id " + id + (versions.isEmpty() ? "" : " (" + versions + ")");
    }
}
