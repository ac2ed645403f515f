package dev.orderpipeline.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.orderpipeline.schema.JsonText;
import dev.orderpipeline.schema.ColumnType;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Avro binary, read with Apache Avro and the writer's schema from the registry; the schema decides each
 * field's column type ({@link #columnType}):
 * boolean BOOLEAN; int and long BIGINT; float and double DOUBLE (a float as the double of its shortest
 * spelling, 0.1f reads 0.1); string, enum and uuid VARCHAR; bytes and fixed VARCHAR (Base64);
 * decimal(p,s) DECIMAL when it fits DECIMAL(38,18) (s ≤ 18, p − s ≤ 20), else VARCHAR (the exact digits);
 * timestamp-millis/-micros/-nanos TIMESTAMP (an instant), local-timestamp-millis/-micros/-nanos TIMESTAMP_LOCAL,
 * date DATE, time-millis/-micros TIME (a nanos value with digits below the microsecond is refused when loaded);
 * inside a VARIANT they are ISO-8601 text (2026-12-02T06:04:23.123Z);
 * records flattened PARENT_CHILD; arrays, maps and unions of several types VARIANT (JSON);
 * a union of null and one type is that type, nullable.
 */
final class AvroDecoder {
    private static final JsonFactory JSON = new JsonFactory();

    private final Map<Integer, Reader> readers = new ConcurrentHashMap<>();

    private record Reader(Schema schema, GenericDatumReader<Object> datumReader) {
    }

    Decoded decode(RegisteredSchema registered, byte[] bytes, int offset) throws UndecodableException {
        Reader reader = readers.computeIfAbsent(registered.id(), id -> parse(registered));
        if (reader.schema() == null) {
            throw new UndecodableException(registered.describe() + " is not an Avro schema this loader can parse"
                    + " (a schema with references is not supported)");
        }
        Object datum;
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, null);
            datum = reader.datumReader().read(null, decoder);
            if (!decoder.isEnd()) {
                throw new UndecodableException("the payload has bytes left after the Avro datum of " + registered.describe());
            }
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new UndecodableException("the payload is not Avro of " + registered.describe() + ": " + e, e);
        }
        try {
            return new Decoded(registered, field(null, reader.schema(), datum));
        } catch (java.time.DateTimeException e) {
            // A time-millis past midnight, a local timestamp beyond java.time's years: not a value of its type.
            throw new UndecodableException("the payload of " + registered.describe() + " holds a date or time its "
                    + "logical type cannot have: " + e.getMessage(), e);
        }
    }

    private static Reader parse(RegisteredSchema registered) {
        try {
            Schema schema = new Schema.Parser().parse(registered.text());
            return new Reader(schema, new GenericDatumReader<>(schema));
        } catch (SchemaParseException e) {
            return new Reader(null, null);
        }
    }

    private static DecodedField field(String name, Schema schema, Object datum) {
        Schema single = nonNullBranch(schema);
        if (single != null) {
            return field(name, single, datum);
        }
        if (schema.getType() == Schema.Type.RECORD) {
            List<DecodedField> children = new ArrayList<>(schema.getFields().size());
            IndexedRecord record = (IndexedRecord) datum;
            for (Schema.Field f : schema.getFields()) {
                children.add(field(f.name(), f.schema(), record == null ? null : record.get(f.pos())));
            }
            return new DecodedField(name, null, null, children);
        }
        ColumnType type = columnType(schema);
        return DecodedField.leaf(name, type, datum == null ? null : value(schema, type, datum));
    }

    /** The one non-null branch of a union such as ["null", "long"], or null when the schema is not such a union. */
    private static Schema nonNullBranch(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return null;
        }
        Schema found = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                if (found != null) {
                    return null;
                }
                found = branch;
            }
        }
        return found;
    }

    /** The column type an Avro type declares: the mapping in this class's comment and in the README. */
    static ColumnType columnType(Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            int integerDigits = decimal.getPrecision() - decimal.getScale();
            boolean fits = decimal.getScale() <= ColumnType.DECIMAL_SCALE
                    && integerDigits <= ColumnType.DECIMAL_PRECISION - ColumnType.DECIMAL_SCALE;
            return fits ? ColumnType.DECIMAL : ColumnType.VARCHAR;
        }
        if (logical != null) {
            return switch (logical.getName()) {
                case "timestamp-millis", "timestamp-micros", "timestamp-nanos" -> ColumnType.TIMESTAMP;
                case "local-timestamp-millis", "local-timestamp-micros", "local-timestamp-nanos" -> ColumnType.TIMESTAMP_LOCAL;
                case "date" -> ColumnType.DATE;
                case "time-millis", "time-micros" -> ColumnType.TIME;
                default -> ColumnType.VARCHAR; // uuid, and logical types this loader does not know: their text
            };
        }
        return switch (schema.getType()) {
            case BOOLEAN -> ColumnType.BOOLEAN;
            case INT, LONG -> ColumnType.BIGINT;
            case FLOAT, DOUBLE -> ColumnType.DOUBLE;
            case STRING, ENUM, BYTES, FIXED, NULL -> ColumnType.VARCHAR;
            case ARRAY, MAP, UNION, RECORD -> ColumnType.VARIANT;
        };
    }

    private static Object value(Schema schema, ColumnType type, Object datum) {
        if (type == ColumnType.VARIANT) {
            return new JsonText(json(schema, datum));
        }
        Object scalar = scalar(schema, datum);
        return scalar instanceof BigDecimal d && type == ColumnType.VARCHAR ? d.toPlainString() : scalar;
    }

    /** A non-structured datum in SchemaPolicy's vocabulary (temporal logical types as java.time values). */
    private static Object scalar(Schema schema, Object datum) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            byte[] unscaled = datum instanceof GenericFixed f ? f.bytes() : bytes((ByteBuffer) datum);
            return new BigDecimal(new BigInteger(unscaled), decimal.getScale());
        }
        if (logical != null) {
            String name = logical.getName();
            switch (name) {
                case "timestamp-millis":
                    return Instant.ofEpochMilli((Long) datum);
                case "timestamp-micros":
                    return instant((Long) datum, 1_000_000);
                case "timestamp-nanos":
                    return instant((Long) datum, 1_000_000_000);
                case "local-timestamp-millis":
                    return LocalDateTime.ofInstant(Instant.ofEpochMilli((Long) datum), ZoneOffset.UTC);
                case "local-timestamp-micros":
                    return LocalDateTime.ofInstant(instant((Long) datum, 1_000_000), ZoneOffset.UTC);
                case "local-timestamp-nanos":
                    return LocalDateTime.ofInstant(instant((Long) datum, 1_000_000_000), ZoneOffset.UTC);
                case "date":
                    return LocalDate.ofEpochDay((Integer) datum);
                case "time-millis":
                    return LocalTime.ofNanoOfDay((Integer) datum * 1_000_000L);
                case "time-micros":
                    return LocalTime.ofNanoOfDay((Long) datum * 1_000L);
                default:
                    break; // uuid and logical types this loader does not know: the underlying type's value
            }
        }
        return switch (schema.getType()) {
            case BOOLEAN -> datum;
            case INT -> ((Integer) datum).longValue();
            case LONG -> datum;
            case FLOAT -> Double.parseDouble(Float.toString((Float) datum));
            case DOUBLE -> datum;
            case BYTES -> Base64.getEncoder().encodeToString(bytes((ByteBuffer) datum));
            case FIXED -> Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes());
            default -> datum.toString(); // string (Utf8), enum symbol
        };
    }

    private static Instant instant(long count, long perSecond) {
        return Instant.ofEpochSecond(Math.floorDiv(count, perSecond),
                Math.floorMod(count, perSecond) * (1_000_000_000L / perSecond));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** A structured datum as JSON text, its logical types written as in its columns (decimals as numbers). */
    private static String json(Schema schema, Object datum) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            write(generator, schema, datum);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator out, Schema schema, Object datum) throws IOException {
        if (datum == null) {
            out.writeNull();
            return;
        }
        switch (schema.getType()) {
            case UNION -> write(out, schema.getTypes().get(
                    new GenericDatumReader<>().getData().resolveUnion(schema, datum)), datum);
            case RECORD -> {
                out.writeStartObject();
                IndexedRecord record = (IndexedRecord) datum;
                for (Schema.Field f : schema.getFields()) {
                    out.writeFieldName(f.name());
                    write(out, f.schema(), record.get(f.pos()));
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (Object element : (Collection<?>) datum) {
                    write(out, schema.getElementType(), element);
                }
                out.writeEndArray();
            }
            case MAP -> {
                out.writeStartObject();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
                    out.writeFieldName(entry.getKey().toString());
                    write(out, schema.getValueType(), entry.getValue());
                }
                out.writeEndObject();
            }
            default -> {
                Object scalar = scalar(schema, datum);
                if (scalar instanceof Long l) {
                    out.writeNumber(l);
                } else if (scalar instanceof BigDecimal d) {
                    out.writeNumber(d);
                } else if (scalar instanceof Double d && Double.isFinite(d)) {
                    out.writeNumber(d);
                } else if (scalar instanceof Boolean b) {
                    out.writeBoolean(b);
                } else {
                    out.writeString(String.valueOf(scalar)); // text, and a NaN or infinity as its name
                }
            }
        }
    }
}
