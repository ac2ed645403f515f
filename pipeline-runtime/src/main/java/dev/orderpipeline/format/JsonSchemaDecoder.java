package dev.orderpipeline.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.schema.JsonText;
import dev.orderpipeline.schema.SchemaPolicy;
import dev.orderpipeline.schema.ColumnType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Confluent JSON Schema ({@code json_sr}): the payload is JSON text, the registry's JSON Schema decides the
 * column types: {@code integer} BIGINT, {@code number} DOUBLE, {@code string} VARCHAR, a string of
 * {@code "format": "date-time"} TIMESTAMP (RFC 3339 text with its offset) and of {@code "format": "date"} DATE
 * (other formats, {@code time} included, VARCHAR), {@code boolean} BOOLEAN, an {@code object} with {@code properties} flattened
 * PARENT_CHILD, arrays and objects without properties VARIANT; a type list or {@code oneOf}/{@code anyOf} of
 * null and one type is that type, nullable; anything else VARIANT. Local {@code $ref}s
 * ({@code #/definitions/…}, {@code #/$defs/…}) are followed. A property the schema does not declare (allowed
 * by {@code additionalProperties}) is typed by its value, as schemaless JSON is. The payload is not
 * validated against the schema (the producer's serializer did that).
 */
final class JsonSchemaDecoder {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private final Map<Integer, JsonNode> schemas = new ConcurrentHashMap<>();

    Decoded decode(RegisteredSchema registered, byte[] bytes, int offset) throws UndecodableException {
        JsonNode schema = schemas.get(registered.id());
        if (schema == null) {
            try {
                schema = JSON.readTree(registered.text());
            } catch (JsonProcessingException e) {
                throw new UndecodableException(registered.describe() + " is not a JSON Schema: " + e.getOriginalMessage());
            }
            schemas.put(registered.id(), schema);
        }
        JsonNode value;
        try {
            value = JSON.readTree(bytes, offset, bytes.length - offset);
        } catch (IOException e) {
            throw new UndecodableException("the payload of " + registered.describe() + " is not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (value == null) {
            throw new UndecodableException("the payload of " + registered.describe() + " is empty");
        }
        return new Decoded(registered, field(null, schema, schema, value));
    }

    private static DecodedField field(String name, JsonNode root, JsonNode schema, JsonNode value) {
        schema = nonNull(root, resolve(root, schema));
        if (isRecord(schema) && (value == null || value.isNull() || value.isObject())) {
            JsonNode properties = schema.get("properties");
            List<DecodedField> children = new ArrayList<>();
            Set<String> declared = new LinkedHashSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> property = it.next();
                declared.add(property.getKey());
                children.add(field(property.getKey(), root, property.getValue(),
                        value == null ? null : value.get(property.getKey())));
            }
            if (value != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> extra = it.next();
                    if (!declared.contains(extra.getKey())) {
                        children.add(undeclared(extra.getKey(), extra.getValue()));
                    }
                }
            }
            return new DecodedField(name, null, null, children);
        }
        ColumnType type = columnType(schema);
        return DecodedField.leaf(name, type, scalar(value));
    }

    /** A value the schema does not describe: typed by itself, nested objects flattened, as schemaless JSON. */
    private static DecodedField undeclared(String name, JsonNode value) {
        if (value.isObject()) {
            List<DecodedField> children = new ArrayList<>();
            value.fields().forEachRemaining(e -> children.add(undeclared(e.getKey(), e.getValue())));
            return new DecodedField(name, null, null, children);
        }
        return DecodedField.leaf(name, null, scalar(value));
    }

    private static boolean isRecord(JsonNode schema) {
        return schema.path("properties").isObject() && "object".equals(singleType(schema));
    }

    /** The column type a JSON Schema declares: the mapping in this class's comment and in the README. */
    private static ColumnType columnType(JsonNode schema) {
        String type = singleType(schema);
        if (type == null) {
            return ColumnType.VARIANT;
        }
        return switch (type) {
            case "integer" -> ColumnType.BIGINT;
            case "number" -> ColumnType.DOUBLE;
            case "boolean" -> ColumnType.BOOLEAN;
            case "string" -> switch (schema.path("format").asText("")) {
                case "date-time" -> ColumnType.TIMESTAMP; // the text is converted (or refused) by its column
                case "date" -> ColumnType.DATE;
                default -> ColumnType.VARCHAR;
            };
            default -> ColumnType.VARIANT; // array, object without properties
        };
    }

    /** The schema's one type besides null ({@code "type": ["null", "integer"]} is integer), or null. */
    private static String singleType(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type == null && schema.has("properties")) {
            return "object";
        }
        if (type == null) {
            return null;
        }
        if (type.isTextual()) {
            return type.asText();
        }
        String found = null;
        for (JsonNode t : type) {
            if (!"null".equals(t.asText())) {
                if (found != null) {
                    return null;
                }
                found = t.asText();
            }
        }
        return found;
    }

    /** {@code oneOf}/{@code anyOf} of {"type":"null"} and one schema: that schema. */
    private static JsonNode nonNull(JsonNode root, JsonNode schema) {
        for (String combinator : List.of("oneOf", "anyOf")) {
            JsonNode options = schema.get(combinator);
            if (options != null && options.isArray()) {
                JsonNode found = null;
                int others = 0;
                for (JsonNode option : options) {
                    JsonNode resolved = resolve(root, option);
                    if (!"null".equals(resolved.path("type").asText())) {
                        found = resolved;
                        others++;
                    }
                }
                if (others == 1) {
                    return nonNull(root, found);
                }
            }
        }
        return schema;
    }

    private static JsonNode resolve(JsonNode root, JsonNode schema) {
        for (int depth = 0; depth < 32 && schema.has("$ref"); depth++) {
            String ref = schema.get("$ref").asText();
            if (!ref.startsWith("#")) {
                return schema; // a reference to another registered schema: not followed (typed VARIANT)
            }
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) {
                return schema;
            }
            schema = target;
        }
        return schema;
    }

    /** A JSON value in SchemaPolicy's vocabulary, numbers exact. */
    private static Object scalar(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? (Object) value.longValue() : SchemaPolicy.exact(value.bigIntegerValue());
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        return new JsonText(value.toString());
    }
}
