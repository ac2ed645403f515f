package dev.orderpipeline.format;

import java.util.UUID;

/**
 * Which registered schema wrote a key or value: the 4-byte id after magic byte 0, or the GUID (magic
 * byte 1) that newer Confluent serializers may put in a {@code __key_schema_id} / {@code __value_schema_id}
 * header instead. Exactly one of the two is set.
 */
public record SchemaRef(int id, UUID guid) {
    public static SchemaRef ofId(int id) {
        return new SchemaRef(id, null);
    }

    public static SchemaRef ofGuid(UUID guid) {
        return new SchemaRef(-1, guid);
    }

    @Override
    public String toString() {
        return guid == null ? "schema id " + id : "schema guid " + guid;
    }
}
