package dev.orderpipeline.format;

import java.util.List;

/**
 * A schema as the registry returns it by id or GUID.
 *
 * @param type AVRO, JSON or PROTOBUF (the registry leaves it out for Avro)
 * @param versions where it is registered, e.g. "subject orders-value version 2", for messages; "" when unknown
 * @param references the schemas it imports (Protobuf: by file name), each registered under a subject and version
 */
public record RegisteredSchema(int id, String type, String text, String versions, List<Reference> references) {

    /** An imported schema: {@code name} as the importing schema spells it (a .proto file name). */
    public record Reference(String name, String subject, int version) {
    }

    public RegisteredSchema(int id, String type, String text, String versions) {
        this(id, type, text, versions, List.of());
    }

    /** "schema id 7 (subject orders-value version 2)": what a message names. */
    public String describe() {
        return "schema id " + id + (versions.isEmpty() ? "" : " (" + versions + ")");
    }
}
