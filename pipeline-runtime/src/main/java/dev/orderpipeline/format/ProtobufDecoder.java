package dev.orderpipeline.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import dev.orderpipeline.schema.JsonText;
import dev.orderpipeline.schema.ColumnType;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Confluent Protobuf: the writer's schema is the registry's serialized FileDescriptorProto (with the files it
 * imports: Google's well-known types from protobuf-java, others by their registered references), the message
 * the record holds is picked by the framing's message indexes, the payload is read as a {@link DynamicMessage};
 * the schema decides each field's column type ({@link #columnType}):
 * int32, sint32, sfixed32, uint32, fixed32, int64, sint64, sfixed64 BIGINT; uint64 and fixed64 DECIMAL (all 64
 * bits unsigned); float and double DOUBLE (a float as the double of its shortest spelling); bool BOOLEAN;
 * string VARCHAR; bytes VARCHAR (Base64); enum VARCHAR (the value's name; an unknown number as its digits);
 * google.protobuf.Timestamp TIMESTAMP (an instant; nanos below the microsecond are refused when loaded);
 * google.type.Date DATE; google.type.TimeOfDay TIME; confluent.type.Decimal DECIMAL (its value and scale; VARCHAR,
 * the exact digits, when the field's {@code confluent.field_meta} precision and scale do not fit DECIMAL(38,18));
 * google.protobuf.Duration VARCHAR (ISO-8601, PT1.5S); the wrappers (Int64Value…) the wrapped type, NULL when
 * unset; Struct, Value, ListValue, Any and a message that contains itself VARIANT; other messages flattened PARENT_CHILD; repeated fields and
 * maps VARIANT (JSON). A field with presence (a message, proto3 {@code optional}, a oneof member, proto2) that is
 * not set is NULL; a proto3 scalar without presence reads its default (0, "", false), as every Protobuf reader.
 */
final class ProtobufDecoder {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<String, FileDescriptor> WELL_KNOWN = wellKnown();

    private final SchemaRegistryClient registry;
    private final Map<Integer, FileDescriptor> files = new ConcurrentHashMap<>();

    ProtobufDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    Decoded decode(RegisteredSchema registered, List<Integer> indexes, byte[] bytes, int offset)
            throws UndecodableException {
        FileDescriptor file = files.get(registered.id());
        if (file == null) {
            file = build(registered, registered.describe(), new HashSet<>());
            files.put(registered.id(), file);
        }
        Descriptor type = messageType(file, indexes, registered);
        DynamicMessage message;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes, offset, bytes.length - offset);
            message = DynamicMessage.parseFrom(type, in);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableException("the payload is not Protobuf " + type.getFullName() + " of "
                    + registered.describe() + ": " + e.getMessage(), e);
        }
        try {
            return new Decoded(registered, record(null, message, type, new HashSet<>()));
        } catch (java.time.DateTimeException e) {
            throw new UndecodableException("the payload of " + registered.describe() + " holds a Timestamp beyond the "
                    + "years java.time knows: " + e.getMessage(), e);
        }
    }

    /** The file a schema describes, with every file it imports built first. */
    private FileDescriptor build(RegisteredSchema schema, String what, Set<String> building) throws UndecodableException {
        FileDescriptorProto proto;
        try {
            proto = FileDescriptorProto.parseFrom(Base64.getDecoder().decode(schema.text().strip()));
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            throw new UndecodableException(what + " is not a serialized Protobuf FileDescriptorProto: the registry "
                    + "answered ?format=serialized with something else (a registry that only returns .proto text is not "
                    + "supported)", e);
        }
        if (!building.add(proto.getName())) {
            throw new UndecodableException(what + " imports itself through " + proto.getName());
        }
        List<FileDescriptor> dependencies = new ArrayList<>();
        for (String dependency : proto.getDependencyList()) {
            FileDescriptor known = WELL_KNOWN.getOrDefault(dependency, BuiltInProtos.FILES.get(dependency));
            if (known != null) {
                dependencies.add(known);
                continue;
            }
            RegisteredSchema.Reference reference = schema.references().stream()
                    .filter(r -> r.name().equals(dependency)).findFirst().orElse(null);
            if (reference == null) {
                throw new UndecodableException(what + " imports " + dependency + ", which is neither a well-known type "
                        + "nor among the schema's registered references");
            }
            dependencies.add(build(registry.referenced(reference), "the import " + dependency + " of " + what
                    + " (subject " + reference.subject() + " version " + reference.version() + ")", building));
        }
        try {
            return FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new));
        } catch (DescriptorValidationException e) {
            throw new UndecodableException(what + " is not a valid Protobuf schema: " + e.getMessage(), e);
        }
    }

    /** The message the indexes name: the first a top-level message, each next one nested in the one before. */
    private static Descriptor messageType(FileDescriptor file, List<Integer> indexes, RegisteredSchema registered)
            throws UndecodableException {
        List<Descriptor> candidates = file.getMessageTypes();
        Descriptor type = null;
        for (int index : indexes) {
            if (index < 0 || index >= candidates.size()) {
                throw new UndecodableException("the record's Protobuf message indexes " + indexes + " name no message of "
                        + registered.describe());
            }
            type = candidates.get(index);
            candidates = type.getNestedTypes();
        }
        if (type == null) {
            throw new UndecodableException(registered.describe() + " declares no message");
        }
        return type;
    }

    private static DecodedField record(String name, Message message, Descriptor type, Set<String> path) {
        path.add(type.getFullName());
        List<DecodedField> children = new ArrayList<>(type.getFields().size());
        for (FieldDescriptor f : type.getFields()) {
            children.add(field(f, message, path));
        }
        path.remove(type.getFullName());
        return new DecodedField(name, null, null, children);
    }

    private static DecodedField field(FieldDescriptor f, Message message, Set<String> path) {
        boolean set = message != null && (f.isRepeated() || !f.hasPresence() || message.hasField(f));
        Object raw = set ? message.getField(f) : null;
        if (!f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && flattened(f.getMessageType(), path)) {
            return record(f.getName(), (Message) raw, f.getMessageType(), path);
        }
        ColumnType type = columnType(f);
        return DecodedField.leaf(f.getName(), type, raw == null ? null : value(f, type, raw));
    }

    /** A message field that becomes columns of its own: not a well-known type with a value of its own, not recursive. */
    private static boolean flattened(Descriptor type, Set<String> path) {
        return special(type) == null && !path.contains(type.getFullName());
    }

    /** The column type a field declares: the mapping in this class's comment and in the README. */
    static ColumnType columnType(FieldDescriptor f) {
        if (f.isRepeated()) {
            return ColumnType.VARIANT; // repeated fields and maps
        }
        return switch (f.getType()) {
            case INT32, SINT32, SFIXED32, UINT32, FIXED32, INT64, SINT64, SFIXED64 -> ColumnType.BIGINT;
            case UINT64, FIXED64 -> ColumnType.DECIMAL;
            case FLOAT, DOUBLE -> ColumnType.DOUBLE;
            case BOOL -> ColumnType.BOOLEAN;
            case STRING, BYTES, ENUM -> ColumnType.VARCHAR;
            case MESSAGE, GROUP -> {
                Special special = special(f.getMessageType());
                if (special == Special.WRAPPER) {
                    yield columnType(f.getMessageType().findFieldByName("value"));
                }
                yield special == null ? ColumnType.VARIANT : switch (special) {
                    case TIMESTAMP -> ColumnType.TIMESTAMP;
                    case DATE -> ColumnType.DATE;
                    case TIME_OF_DAY -> ColumnType.TIME;
                    case DECIMAL -> BuiltInProtos.decimalFits(f) ? ColumnType.DECIMAL : ColumnType.VARCHAR;
                    case DURATION -> ColumnType.VARCHAR;
                    default -> ColumnType.VARIANT;
                };
            }
        };
    }

    private enum Special { TIMESTAMP, DURATION, WRAPPER, JSON_VALUE, DATE, TIME_OF_DAY, DECIMAL }

    /** Google's and Confluent's types that stand for one value, not for columns. */
    private static Special special(Descriptor type) {
        String pkg = type.getFile().getPackage();
        if (pkg.equals("google.type")) {
            return type.getName().equals("Date") ? Special.DATE : type.getName().equals("TimeOfDay") ? Special.TIME_OF_DAY : null;
        }
        if (pkg.equals("confluent.type")) {
            return type.getName().equals("Decimal") ? Special.DECIMAL : null;
        }
        if (!pkg.equals("google.protobuf")) {
            return null;
        }
        return switch (type.getName()) {
            case "Timestamp" -> Special.TIMESTAMP;
            case "Duration" -> Special.DURATION;
            case "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue",
                    "StringValue", "BytesValue" -> Special.WRAPPER;
            case "Struct", "Value", "ListValue", "Any" -> Special.JSON_VALUE;
            default -> null;
        };
    }

    private static Object value(FieldDescriptor f, ColumnType type, Object raw) {
        if (type == ColumnType.VARIANT) {
            return new JsonText(json(f, raw));
        }
        Object scalar = scalar(f, raw);
        return scalar instanceof BigDecimal d && type == ColumnType.VARCHAR ? d.toPlainString() : scalar;
    }

    /** One non-repeated value in SchemaPolicy's vocabulary. */
    private static Object scalar(FieldDescriptor f, Object raw) {
        return switch (f.getType()) {
            case INT32, SINT32, SFIXED32 -> ((Integer) raw).longValue();
            case UINT32, FIXED32 -> Integer.toUnsignedLong((Integer) raw);
            case INT64, SINT64, SFIXED64 -> raw;
            case UINT64, FIXED64 -> new BigDecimal(new BigInteger(Long.toUnsignedString((Long) raw)));
            case FLOAT -> Double.parseDouble(Float.toString((Float) raw));
            case DOUBLE, BOOL, STRING -> raw;
            case BYTES -> Base64.getEncoder().encodeToString(((ByteString) raw).toByteArray());
            case ENUM -> {
                EnumValueDescriptor e = (EnumValueDescriptor) raw;
                yield e.getIndex() >= 0 && e.getType().findValueByNumber(e.getNumber()) != null
                        ? e.getName() : Integer.toString(e.getNumber());
            }
            case MESSAGE, GROUP -> messageScalar((Message) raw);
        };
    }

    /** A well-known type's one value: an instant, a date, a time of day, a decimal, a duration's text, a wrapper's value. */
    private static Object messageScalar(Message m) {
        Descriptor type = m.getDescriptorForType();
        Special special = special(type);
        if (special == Special.TIMESTAMP) {
            return Instant.ofEpochSecond((Long) m.getField(type.findFieldByName("seconds")),
                    (Integer) m.getField(type.findFieldByName("nanos")));
        }
        if (special == Special.DATE || special == Special.TIME_OF_DAY || special == Special.DECIMAL) {
            return BuiltInProtos.value(m);
        }
        if (special == Special.DURATION) {
            return Duration.ofSeconds((Long) m.getField(type.findFieldByName("seconds")),
                    (Integer) m.getField(type.findFieldByName("nanos"))).toString();
        }
        FieldDescriptor value = type.findFieldByName("value");
        return scalar(value, m.getField(value));
    }

    /** A structured value as JSON text: field names as declared, enums by name, 64-bit integers as numbers. */
    private static String json(FieldDescriptor f, Object raw) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            writeField(generator, f, raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeField(JsonGenerator out, FieldDescriptor f, Object raw) throws IOException {
        if (f.isMapField()) {
            Descriptor entry = f.getMessageType();
            FieldDescriptor key = entry.findFieldByNumber(1);
            FieldDescriptor value = entry.findFieldByNumber(2);
            out.writeStartObject();
            for (Object e : (List<?>) raw) {
                Message m = (Message) e;
                out.writeFieldName(String.valueOf(scalar(key, m.getField(key))));
                writeSingle(out, value, m.getField(value));
            }
            out.writeEndObject();
        } else if (f.isRepeated()) {
            out.writeStartArray();
            for (Object element : (List<?>) raw) {
                writeSingle(out, f, element);
            }
            out.writeEndArray();
        } else {
            writeSingle(out, f, raw);
        }
    }

    private static void writeSingle(JsonGenerator out, FieldDescriptor f, Object raw) throws IOException {
        if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            writeScalar(out, scalar(f, raw));
            return;
        }
        writeMessage(out, (Message) raw);
    }

    private static void writeMessage(JsonGenerator out, Message m) throws IOException {
        Descriptor type = m.getDescriptorForType();
        Special special = special(type);
        if (special != null && special != Special.JSON_VALUE) {
            writeScalar(out, messageScalar(m));
            return;
        }
        if (special == Special.JSON_VALUE && !type.getName().equals("Any")) {
            writeJsonValue(out, m);
            return;
        }
        out.writeStartObject();
        for (FieldDescriptor f : type.getFields()) {
            out.writeFieldName(f.getName());
            if (!f.isRepeated() && f.hasPresence() && !m.hasField(f)) {
                out.writeNull();
            } else {
                writeField(out, f, m.getField(f));
            }
        }
        out.writeEndObject();
    }

    /** google.protobuf.Struct, Value and ListValue as the JSON they stand for. */
    private static void writeJsonValue(JsonGenerator out, Message m) throws IOException {
        Descriptor type = m.getDescriptorForType();
        switch (type.getName()) {
            case "Struct" -> {
                out.writeStartObject();
                FieldDescriptor fields = type.findFieldByName("fields");
                for (Object e : (List<?>) m.getField(fields)) {
                    Message entry = (Message) e;
                    Descriptor entryType = entry.getDescriptorForType();
                    out.writeFieldName((String) entry.getField(entryType.findFieldByNumber(1)));
                    writeJsonValue(out, (Message) entry.getField(entryType.findFieldByNumber(2)));
                }
                out.writeEndObject();
            }
            case "ListValue" -> {
                out.writeStartArray();
                for (Object v : (List<?>) m.getField(type.findFieldByName("values"))) {
                    writeJsonValue(out, (Message) v);
                }
                out.writeEndArray();
            }
            default -> { // Value: the one kind that is set
                FieldDescriptor kind = m.getOneofFieldDescriptor(type.getOneofs().get(0));
                if (kind == null || kind.getName().equals("null_value")) {
                    out.writeNull();
                } else if (kind.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    writeJsonValue(out, (Message) m.getField(kind));
                } else {
                    writeScalar(out, m.getField(kind));
                }
            }
        }
    }

    private static void writeScalar(JsonGenerator out, Object scalar) throws IOException {
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

    private static Map<String, FileDescriptor> wellKnown() {
        Map<String, FileDescriptor> files = new ConcurrentHashMap<>();
        for (FileDescriptor f : List.of(TimestampProto.getDescriptor(), DurationProto.getDescriptor(),
                WrappersProto.getDescriptor(), StructProto.getDescriptor(), AnyProto.getDescriptor(),
                EmptyProto.getDescriptor(), FieldMaskProto.getDescriptor(), TypeProto.getDescriptor(),
                ApiProto.getDescriptor(), SourceContextProto.getDescriptor(), DescriptorProtos.getDescriptor())) {
            files.put(f.getName(), f);
        }
        return Map.copyOf(files);
    }
}
