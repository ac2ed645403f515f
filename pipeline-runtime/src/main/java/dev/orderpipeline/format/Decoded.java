package dev.orderpipeline.format;

import java.util.List;

/**
 * A key or value decoded by its schema: a record's fields, or one primitive (a string or long key).
 *
 * @param schema the registered schema, or null for formats without one (string)
 * @param root   a record (its children are the fields) or a leaf (a primitive)
 */
public record Decoded(RegisteredSchema schema, DecodedField root) {

    public int schemaId() {
        return schema == null ? -1 : schema.id();
    }

    /** What a message names: the schema id, subject and version. */
    public String describe() {
        return schema == null ? "the record" : schema.describe();
    }
}
