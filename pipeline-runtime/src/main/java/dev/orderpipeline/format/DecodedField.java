package dev.orderpipeline.format;

import dev.orderpipeline.schema.ColumnType;
import java.util.List;

/**
 * One field of a decoded key or value, as the schema declares it.
 *
 * @param name     the field's name (null for a primitive key or value)
 * @param type     the column type the schema declares for it; null where the schema says nothing (a JSON
 *                 Schema's additional property): the value decides, as for schemaless JSON
 * @param value    the value in {@link dev.orderpipeline.schema.SchemaPolicy}'s vocabulary (Long, BigDecimal,
 *                 Double, Boolean, String, JsonText) or null; null too for a nested record
 * @param children the fields of a nested record (flattened PARENT_CHILD), null for a leaf
 */
public record DecodedField(String name, ColumnType type, Object value, List<DecodedField> children) {

    public static DecodedField leaf(String name, ColumnType type, Object value) {
        return new DecodedField(name, type, value, null);
    }

    public boolean isRecord() {
        return children != null;
    }
}
