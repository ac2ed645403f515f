package dev.orderpipeline.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.orderpipeline.format.ConfluentFraming;
import dev.orderpipeline.format.Decoded;
import dev.orderpipeline.format.DecodedField;
import dev.orderpipeline.format.RecordDecoder;
import dev.orderpipeline.format.UndecodableException;
import dev.orderpipeline.schema.ColumnClaims;
import dev.orderpipeline.schema.ColumnNaming;
import dev.orderpipeline.schema.JsonText;
import dev.orderpipeline.schema.NotConvertibleException;
import dev.orderpipeline.schema.SchemaLimits;
import dev.orderpipeline.schema.SchemaPolicy;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.warehouse.TableShape;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a JSON record into a row: one column per field path, nested objects flattened as
 * PARENT_CHILD, names made safe and kept apart by {@link ColumnClaims}, types and conversions by
 * {@link SchemaPolicy}. A record's new columns and widenings reach the {@link TableShape} only once
 * the whole record converted: a refused record (it goes to the dead-letter topic) changes nothing.
 *
 * <p>With a Schema Registry format ({@link RecordDecoder}) the schema, not the value, declares each field's
 * type: a declared field gets its column even while its values are null, and a declared type meets an
 * existing column through {@link SchemaPolicy#forDeclared} (widen, keep, or refuse the schema change loudly).
 */
public final class RecordConverter {
    private static final Logger LOG = LoggerFactory.getLogger(RecordConverter.class);
    private static final JsonFactory JSON = new JsonFactory();
    /** The primitive value of a string (or Avro primitive) value format is loaded into this column. */
    static final String PRIMITIVE_VALUE_FIELD = "value";
    /** Incompatible schema changes already logged (schema id and column), so each is said loudly once. */
    private static final Set<String> LOGGED_INCOMPATIBLE = ConcurrentHashMap.newKeySet();

    private final TableShape shape;
    private final List<String> keyFields;
    private final List<SqlIdentifier> keyColumns;
    private final ColumnClaims claims;
    private final int maxColumns;
    private final Field root = new Field(List.of());
    private Object[] scratch = new Object[32];
    private final JsonValueReader json = new JsonValueReader(JSON);
    private final RepeatedText repeatedText = new RepeatedText();
    /** The record's fields this converter has not mapped to a column yet, in order of appearance. */
    private final List<Field> newFields = new ArrayList<>();
    /** Widenings the record needs, by column index. */
    private final Map<Integer, ColumnType> widenings = new HashMap<>();
    private String metadataTopic;
    private String metadataPrefix;
    /** Null for schemaless JSON (read here, streaming), else the value's and the key's decoders. */
    private final RecordDecoder valueDecoder;
    private final RecordDecoder keyDecoder;
    /** The schema of the record being converted, for messages; null for schemaless JSON. */
    private Decoded decoding;

    /** A converter with the limits no dialect goes below (tests, benchmarks). */
    public RecordConverter(TableShape shape, List<String> keyFields) {
        this(shape, keyFields, SchemaLimits.DEFAULT);
    }

    public RecordConverter(TableShape shape, List<String> keyFields, SchemaLimits limits) {
        this(shape, keyFields, limits, null, null);
    }

    /**
     * @param valueDecoder the value's decoder, null for schemaless JSON
     * @param keyDecoder   the key's decoder (read for tombstones), null for a JSON object or the key's text
     */
    public RecordConverter(TableShape shape, List<String> keyFields, SchemaLimits limits, RecordDecoder valueDecoder,
                           RecordDecoder keyDecoder) {
        this.valueDecoder = valueDecoder;
        this.keyDecoder = keyDecoder;
        this.shape = shape;
        this.keyFields = List.copyOf(keyFields);
        ColumnNaming naming = new ColumnNaming(limits.maxNameLength());
        List<List<String>> keyPaths = this.keyFields.stream().map(f -> List.of(f.split("\\."))).toList();
        this.keyColumns = keyPaths.stream().map(naming::preferred).toList();
        this.claims = new ColumnClaims(naming, keyPaths);
        this.maxColumns = limits.maxColumns();
    }

    /** The upsert key's column names (parent.child becomes PARENT_CHILD). */
    public List<SqlIdentifier> keyColumns() {
        return keyColumns;
    }

    public Row convert(ConsumerRecord<byte[], byte[]> record) throws RecordConversionException {
        Arrays.fill(scratch, null);
        try {
            boolean deleted = record.value() == null;
            int schemaId = -1;
            int keySchemaId = -1;
            if (deleted && keyDecoder != null) {
                keySchemaId = fillKeyFromDecodedKey(record.key(), record.headers());
            } else if (deleted) {
                fillKeyFromRecordKey(record.key());
            } else if (valueDecoder != null) {
                decoding = decode(valueDecoder, record.value(), record.headers());
                schemaId = decoding.schemaId();
                readDecoded(decoding.root());
            } else {
                parseValue(record.value());
            }
            if (!deleted && keyDecoder != null && keyDecoder.format().needsRegistry()) {
                keySchemaId = framedSchemaId(record.key(), record.headers());
            }
            List<NewColumn> added = resolveNewFields();
            if (!keyFields.isEmpty()) {
                requireKey(added);
            }
            commit(added);
            Object[] values = Arrays.copyOf(scratch, shape.size());
            return new Row(values, deleted, metadata(record, schemaId, keySchemaId), record.partition(), record.offset());
        } finally {
            decoding = null;
            newFields.forEach(Field::clearPending);
            newFields.clear();
            widenings.clear();
        }
    }

    private void parseValue(byte[] value) throws RecordConversionException {
        boolean read = false;
        try {
            JsonParser parser = json.begin(value);
            if (json.next() != JsonToken.START_OBJECT) {
                throw new RecordConversionException("the record value is not a JSON object");
            }
            readObject(parser, root);
            if (!json.endValue(value)) {
                throw new RecordConversionException("the record value has data after its JSON object");
            }
            read = true;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RecordConversionException("the record value is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RecordConversionException("the record value cannot be read: " + e.getMessage(), e);
        } finally {
            if (!read) {
                json.discard();
            }
        }
    }

    private void readObject(JsonParser parser, Field parent) throws IOException, RecordConversionException {
        JsonToken token;
        while ((token = json.next()) == JsonToken.FIELD_NAME) {
            Field field = parent.child(parser.currentName());
            JsonToken valueToken = json.next();
            if (valueToken == JsonToken.START_OBJECT) {
                readObject(parser, field);
            } else if (valueToken == null) {
                throw endedInsideTheObject();
            } else {
                set(field, readScalar(parser, valueToken));
            }
        }
        if (token == null) {
            throw endedInsideTheObject();
        }
        if (token != JsonToken.END_OBJECT) {
            throw new RecordConversionException("the record value is not valid JSON: unexpected " + token);
        }
    }

    private static RecordConversionException endedInsideTheObject() {
        return new RecordConversionException("the record value is not valid JSON: it ends before its object closes");
    }

    /** Numbers exactly as written: a Long, or a BigDecimal (beyond 64 bits, or with a fraction or exponent). */
    private Object readScalar(JsonParser parser, JsonToken token) throws IOException, RecordConversionException {
        return switch (token) {
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) SchemaPolicy.exact(parser.getBigIntegerValue()) : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
            case VALUE_STRING -> repeatedText.of(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> new JsonText(copyStructure(parser));
        };
    }

    /** An array as its JSON text, token by token: the reader, not the generator, knows where the record's bytes end. */
    private String copyStructure(JsonParser parser) throws IOException, RecordConversionException {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            int depth = 0;
            JsonToken token = parser.currentToken();
            while (true) {
                generator.copyCurrentEvent(parser);
                depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
                if (depth == 0) {
                    break;
                }
                token = json.next();
                if (token == null) {
                    throw endedInsideTheObject();
                }
            }
        }
        return out.toString();
    }

    private void set(Field field, Object value) throws RecordConversionException {
        if (value == null) {
            return; // a null says nothing about the column's type; the row reads NULL there
        }
        if (field.columnIndex >= 0) {
            ensureScratch(field.columnIndex);
            scratch[field.columnIndex] = fit(field.columnIndex, value);
            return;
        }
        markPending(field, value, null);
    }

    private void markPending(Field field, Object value, ColumnType declared) {
        if (!field.pending) {
            field.pending = true;
            newFields.add(field);
        }
        field.pendingValue = value; // a repeated field name: the last value wins, as for known fields
        field.pendingType = declared;
    }

    private static Decoded decode(RecordDecoder decoder, byte[] bytes, Headers headers) throws RecordConversionException {
        try {
            return decoder.decode(bytes, headers);
        } catch (UndecodableException e) {
            throw new RecordConversionException(e.getMessage(), e);
        }
    }

    /** A decoded value: a record's fields, or a primitive into the VALUE column. */
    private void readDecoded(DecodedField decoded) throws RecordConversionException {
        if (decoded.isRecord()) {
            readFields(root, decoded.children());
        } else {
            setDeclared(root.child(PRIMITIVE_VALUE_FIELD), shared(decoded.value()), decoded.type());
        }
    }

    /** A decoded text value as the String rows already share for it ({@link RepeatedText}); any other value as it is. */
    private Object shared(Object value) {
        return value instanceof String text ? repeatedText.of(text) : value;
    }

    private void readFields(Field parent, List<DecodedField> fields) throws RecordConversionException {
        for (DecodedField f : fields) {
            Field field = parent.child(f.name());
            if (f.isRecord()) {
                readFields(field, f.children());
            } else {
                setDeclared(field, shared(f.value()), f.type());
            }
        }
    }

    /** A field whose type the schema declares: its column exists (or is made) whatever its value, null included. */
    private void setDeclared(Field field, Object value, ColumnType declared) throws RecordConversionException {
        if (declared == null) {
            set(field, value);
            return;
        }
        if (field.columnIndex >= 0) {
            takeDeclared(field.columnIndex, declared, field.path);
            if (value != null) {
                ensureScratch(field.columnIndex);
                scratch[field.columnIndex] = fit(field.columnIndex, value);
            }
            return;
        }
        markPending(field, value, declared);
    }

    /** Widens the column for a declared type where the policy allows, or refuses the schema change loudly. */
    private void takeDeclared(int index, ColumnType declared, List<String> path) throws RecordConversionException {
        Column column = shape.column(index);
        ColumnType current = widenings.getOrDefault(index, column.type());
        ColumnType target = SchemaPolicy.forDeclared(current, declared);
        if (target == null) {
            String message = decoding.describe() + " declares the field '" + ColumnNaming.pointer(path) + "' as "
                    + declared + ", but its column " + column.name().name() + " is " + current + ": an incompatible "
                    + "schema change (a column only widens: int to long, float to double, integer to decimal); load "
                    + "the new schema into another table, or change the column by hand";
            if (LOGGED_INCOMPATIBLE.add(decoding.schemaId() + "/" + column.name().name())) {
                LOG.error("records of {} are refused (dead-lettered, or the loader stops with OPL_ERROR_TOLERANCE=none): {}",
                        decoding.describe(), message);
            }
            throw new RecordConversionException(message);
        }
        if (target != current) {
            widenings.put(index, target);
        }
    }

    /** The key's schema id from its Confluent framing, without asking the registry; -1 when it has none. */
    private static int framedSchemaId(byte[] key, Headers headers) {
        if (key == null) {
            return -1;
        }
        try {
            return ConfluentFraming.read(key, headers, true, false).schema().id();
        } catch (UndecodableException e) {
            return -1;
        }
    }

    /** A tombstone's key in a registry format or text: a record's fields, or the one key field. */
    private int fillKeyFromDecodedKey(byte[] key, Headers headers) throws RecordConversionException {
        if (keyFields.isEmpty()) {
            return -1;
        }
        if (key == null) {
            throw new RecordConversionException("a tombstone without a key cannot delete anything");
        }
        Decoded decoded = decode(keyDecoder, key, headers);
        // Keys only find rows: their values are converted to the key columns' types, not declared on them.
        if (decoded.root().isRecord()) {
            setKeyFields(root, decoded.root().children());
        } else {
            if (keyFields.size() != 1) {
                throw new RecordConversionException("the tombstone's key is a single " + decoded.root().type()
                        + ", but the upsert key has " + keyFields.size() + " fields");
            }
            Field field = root;
            for (String part : keyFields.get(0).split("\\.")) {
                field = field.child(part);
            }
            set(field, decoded.root().value());
        }
        return decoded.schemaId();
    }

    private void setKeyFields(Field parent, List<DecodedField> fields) throws RecordConversionException {
        for (DecodedField f : fields) {
            Field field = parent.child(f.name());
            if (f.isRecord()) {
                setKeyFields(field, f.children());
            } else {
                set(field, f.value());
            }
        }
    }

    /** The value in its column's type, widening the column (for this record) where the policy allows. */
    private Object fit(int index, Object value) throws RecordConversionException {
        Column column = shape.column(index);
        ColumnType type = widenings.getOrDefault(index, column.type());
        try {
            return SchemaPolicy.convert(type, value, column.name().name());
        } catch (NotConvertibleException refused) {
            ColumnType wider = SchemaPolicy.join(type, SchemaPolicy.infer(value));
            if (wider != type) {
                try {
                    Object converted = SchemaPolicy.convert(wider, value, column.name().name());
                    widenings.put(index, wider);
                    return converted;
                } catch (NotConvertibleException stillRefused) {
                    // refused with the column's own type below
                }
            }
            throw new RecordConversionException(refused.getMessage());
        }
    }

    /**
     * A new field's column: one this record would add ({@code column}, with the record's value
     * converted to its inferred type), or one the table has already ({@code existingIndex}).
     */
    private record NewColumn(Field field, Column column, Object value, int existingIndex) {
    }

    /**
     * Names the record's new fields without changing the shape yet: names are given in
     * {@link ColumnClaims#PRECEDENCE} order (so a collision's winner does not depend on field order),
     * columns are listed in the order the fields appeared.
     */
    private List<NewColumn> resolveNewFields() throws RecordConversionException {
        if (newFields.isEmpty()) {
            return List.of();
        }
        List<Field> ordered = new ArrayList<>(newFields);
        ordered.sort((a, b) -> ColumnClaims.PRECEDENCE.compare(a.path, b.path));
        Map<SqlIdentifier, List<String>> inRecord = new LinkedHashMap<>();
        Map<Field, NewColumn> resolved = new HashMap<>();
        for (Field field : ordered) {
            SqlIdentifier name = claims.resolve(field.path, n -> shape.indexOf(n).isPresent(), inRecord);
            if (name == null) {
                throw new RecordConversionException("the field '" + ColumnNaming.pointer(field.path)
                        + "' cannot be given a column of its own: both its names are taken by other fields");
            }
            inRecord.put(name, field.path);
            Integer existing = shape.indexOf(name).orElse(null);
            if (existing != null) {
                if (field.pendingType != null) {
                    takeDeclared(existing, field.pendingType, field.path);
                }
                if (field.pendingValue != null) {
                    ensureScratch(existing);
                    scratch[existing] = fit(existing, field.pendingValue);
                }
                resolved.put(field, new NewColumn(field, null, null, existing));
                continue;
            }
            ColumnType type = field.pendingType != null ? field.pendingType : SchemaPolicy.infer(field.pendingValue);
            try {
                resolved.put(field, new NewColumn(field, new Column(name, type),
                        SchemaPolicy.convert(type, field.pendingValue, name.name()), -1));
            } catch (NotConvertibleException e) {
                // Inferred types always hold their value; a declared one may not (a JSON Schema number a double rounds).
                throw new RecordConversionException(e.getMessage());
            }
        }
        List<NewColumn> added = newFields.stream().map(resolved::get).toList();
        long newColumns = added.stream().filter(c -> c.column() != null).count();
        int total = shape.size() + MetadataColumns.ALL.size();
        if (newColumns > 0 && total + newColumns > maxColumns) {
            throw new RecordConversionException("the record would add " + newColumns + " columns to a table of " + total
                    + " (metadata columns included), past the limit of " + maxColumns + " columns ("
                    + SchemaLimits.capSetting() + ")");
        }
        return added;
    }

    /** The record converted: its new columns and widenings become the shape's. */
    private void commit(List<NewColumn> added) {
        widenings.forEach(shape::retype);
        for (NewColumn c : added) {
            int index = c.existingIndex();
            if (c.column() != null) {
                index = shape.add(c.column());
                ensureScratch(index);
                scratch[index] = c.value();
            }
            c.field().columnIndex = index;
            claims.claim(shape.column(index).name(), c.field().path);
        }
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

    private void requireKey(List<NewColumn> added) throws RecordConversionException {
        for (int i = 0; i < keyColumns.size(); i++) {
            SqlIdentifier column = keyColumns.get(i);
            Integer index = shape.indexOf(column).orElse(null);
            boolean present = index != null && index < scratch.length && scratch[index] != null;
            present = present || added.stream().anyMatch(c -> c.column() != null && c.value() != null
                    && c.column().name().equals(column));
            if (!present) {
                throw new RecordConversionException("the upsert key field '" + keyFields.get(i) + "' is missing or null");
            }
        }
    }

    private void ensureScratch(int index) {
        if (index >= scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, index + 1));
        }
    }

    private KafkaRecordMetadata metadata(ConsumerRecord<byte[], byte[]> record, int schemaId, int keySchemaId) {
        if (!record.topic().equals(metadataTopic)) {
            metadataTopic = record.topic();
            metadataPrefix = KafkaRecordMetadata.jsonPrefix(metadataTopic);
        }
        return new KafkaRecordMetadata(metadataPrefix, record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), record.headers().toArray(), schemaId, keySchemaId); // the value: for a dead letter if the warehouse refuses the row
    }

    /** A field path, cached so that a record's field names cost one map lookup each. */
    private static final class Field {
        private final List<String> path;
        private final Map<String, Field> children = new HashMap<>();
        private int columnIndex = -1;
        /** The field's value in the record being converted, while the field has no column yet. */
        private Object pendingValue;
        /** The type its schema declares (null: the value decides), while the field has no column yet. */
        private ColumnType pendingType;
        /** Whether the field is among the record's new fields (its value may be null when a schema declares it). */
        private boolean pending;

        Field(List<String> path) {
            this.path = path;
        }

        void clearPending() {
            pending = false;
            pendingValue = null;
            pendingType = null;
        }

        Field child(String name) {
            Field child = children.get(name);
            if (child == null) {
                List<String> childPath = new ArrayList<>(path);
                childPath.add(name);
                child = new Field(List.copyOf(childPath));
                children.put(name, child);
            }
            return child;
        }
    }
}
