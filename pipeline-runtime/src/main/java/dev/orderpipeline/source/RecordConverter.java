package dev.orderpipeline.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.ColumnType;
import dev.orderpipeline.warehouse.MetadataColumns;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.SqlIdentifier;
import dev.orderpipeline.warehouse.TableShape;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a JSON record into a row: one column per top-level field, nested objects flattened as
 * PARENT_CHILD, types inferred from the first non-null value, new fields added to the
 * {@link TableShape} (schema evolution). A value that does not fit its column's type, or a record
 * that is not a JSON object, is refused with a message naming the field.
 */
public final class RecordConverter {
    private static final JsonFactory JSON = new JsonFactory();

    private final TableShape shape;
    private final List<String> keyFields;
    private final List<Integer> keyIndexes = new ArrayList<>();
    private final Field root = new Field("");
    private Object[] scratch = new Object[32];
    private String metadataTopic;
    private String metadataPrefix;

    public RecordConverter(TableShape shape, List<String> keyFields) {
        this.shape = shape;
        this.keyFields = List.copyOf(keyFields);
    }

    /** The upsert key's column names (parent.child becomes PARENT_CHILD). */
    public List<SqlIdentifier> keyColumns() {
        return keyFields.stream().map(f -> SqlIdentifier.of(f.replace('.', '_'))).toList();
    }

    public Row convert(ConsumerRecord<byte[], byte[]> record) throws RecordConversionException {
        Arrays.fill(scratch, null);
        boolean deleted = record.value() == null;
        if (deleted) {
            fillKeyFromRecordKey(record.key());
        } else {
            parseValue(record.value());
        }
        Object[] values = Arrays.copyOf(scratch, shape.size());
        if (!keyFields.isEmpty()) {
            requireKey(values);
        }
        return new Row(values, deleted, metadata(record), record.partition(), record.offset());
    }

    private void parseValue(byte[] value) throws RecordConversionException {
        try (JsonParser parser = JSON.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new RecordConversionException("the record value is not a JSON object");
            }
            readObject(parser, root);
            if (parser.nextToken() != null) {
                throw new RecordConversionException("the record value has data after its JSON object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RecordConversionException("the record value is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RecordConversionException("the record value cannot be read: " + e.getMessage(), e);
        }
    }

    private void readObject(JsonParser parser, Field parent) throws IOException, RecordConversionException {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            Field field = parent.child(parser.currentName());
            JsonToken valueToken = parser.nextToken();
            if (valueToken == JsonToken.START_OBJECT) {
                readObject(parser, field);
            } else {
                set(field, readScalar(parser, valueToken));
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new RecordConversionException("the record value is not valid JSON: unexpected " + token);
        }
    }

    private static Object readScalar(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            // Boxed apart: a conditional expression would promote the long to double.
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) parser.getDoubleValue() : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_STRING -> parser.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> new JsonText(copyStructure(parser));
        };
    }

    private static String copyStructure(JsonParser parser) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.copyCurrentStructure(parser);
        }
        return out.toString();
    }

    private void set(Field field, Object value) throws RecordConversionException {
        if (value == null) {
            return; // a null says nothing about the column's type; the row reads NULL there
        }
        int index = field.columnIndex(value);
        ensureScratch(index);
        scratch[index] = ValueCoercion.coerce(shape.column(index), value);
    }

    private void fillKeyFromRecordKey(byte[] key) throws RecordConversionException {
        if (keyFields.isEmpty()) {
            return;
        }
        if (key == null) {
            throw new RecordConversionException("a tombstone without a key cannot delete anything");
        }
        String text = new String(key, StandardCharsets.UTF_8).trim();
        if (text.startsWith("{")) {
            parseValue(key);
            return;
        }
        if (keyFields.size() != 1) {
            throw new RecordConversionException("the tombstone's key '" + text + "' is not a JSON object, but the "
                    + "upsert key has " + keyFields.size() + " fields");
        }
        Field field = root;
        for (String part : keyFields.get(0).split("\\.")) {
            field = field.child(part);
        }
        set(field, inferScalar(text));
    }

    private static Object inferScalar(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private void requireKey(Object[] values) throws RecordConversionException {
        if (keyIndexes.size() != keyFields.size()) {
            keyIndexes.clear();
            for (SqlIdentifier column : keyColumns()) {
                keyIndexes.add(shape.indexOf(column).orElse(-1));
            }
        }
        for (int i = 0; i < keyFields.size(); i++) {
            int index = keyIndexes.get(i);
            if (index < 0 || index >= values.length || values[index] == null) {
                if (index < 0) {
                    keyIndexes.clear(); // the column may appear with a later record
                }
                throw new RecordConversionException("the upsert key field '" + keyFields.get(i) + "' is missing or null");
            }
        }
    }

    private void ensureScratch(int index) {
        if (index >= scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, index + 1));
        }
    }

    private KafkaRecordMetadata metadata(ConsumerRecord<byte[], byte[]> record) {
        if (!record.topic().equals(metadataTopic)) {
            metadataTopic = record.topic();
            metadataPrefix = KafkaRecordMetadata.jsonPrefix(metadataTopic);
        }
        return new KafkaRecordMetadata(metadataPrefix, record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), record.headers()); // the value: for a dead letter if the warehouse refuses the row
    }

    /** A JSON array kept as text, loaded into a VARIANT column. */
    record JsonText(String json) {
    }

    /** A field path, cached so that a record's field names cost one map lookup each. */
    private final class Field {
        private final String columnName;
        private final Map<String, Field> children = new HashMap<>();
        private int columnIndex = -1;

        Field(String columnName) {
            this.columnName = columnName;
        }

        Field child(String name) throws RecordConversionException {
            Field child = children.get(name);
            if (child == null) {
                String path = columnName.isEmpty() ? name : columnName + "_" + name;
                if (!SqlIdentifier.isValid(path)) {
                    throw new RecordConversionException("the field '" + name + "' cannot become a column name: "
                            + "use letters, digits and _ in field names");
                }
                child = new Field(path);
                children.put(name, child);
            }
            return child;
        }

        int columnIndex(Object firstValue) throws RecordConversionException {
            if (columnIndex < 0) {
                SqlIdentifier name = SqlIdentifier.of(columnName);
                if (MetadataColumns.ALL.contains(name)) {
                    throw new RecordConversionException("the field '" + columnName + "' collides with the loader's "
                            + "metadata column of that name");
                }
                columnIndex = shape.indexOf(name).orElseGet(() -> shape.add(new Column(name, inferType(firstValue))));
            }
            return columnIndex;
        }
    }

    static ColumnType inferType(Object value) {
        if (value instanceof Long) {
            return ColumnType.BIGINT;
        }
        if (value instanceof Double) {
            return ColumnType.DOUBLE;
        }
        if (value instanceof Boolean) {
            return ColumnType.BOOLEAN;
        }
        if (value instanceof JsonText) {
            return ColumnType.VARIANT;
        }
        return ColumnType.VARCHAR;
    }
}
