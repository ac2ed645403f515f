package dev.orderpipeline.format;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import dev.orderpipeline.schema.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The files Confluent's Protobuf serializers never register because every Confluent client has them built in
 * (confluent-kafka skips imports under {@code confluent/}, {@code google/protobuf/} and {@code google/type/}):
 * Confluent's {@code confluent/type/decimal.proto} and {@code confluent/meta.proto}, and Google's
 * {@code google/type/date.proto} and {@code google/type/timeofday.proto}. Their descriptors are declared here as
 * the published .proto files define them (same names, packages, field numbers and types), since no Maven Central
 * artifact the runtime already has carries them.
 */
final class BuiltInProtos {
    /** The field option extension number of {@code confluent.field_meta} in confluent/meta.proto. */
    private static final int FIELD_META = 1088;
    private static final Descriptor META;
    static final Map<String, FileDescriptor> FILES;

    static {
        try {
            FileDescriptor descriptorProto = DescriptorProtos.getDescriptor();
            FileDescriptor decimal = build(FileDescriptorProto.newBuilder().setName("confluent/type/decimal.proto")
                    .setPackage("confluent.type").setSyntax("proto3")
                    .addMessageType(message("Decimal",
                            field("value", 1, FieldDescriptorProto.Type.TYPE_BYTES),
                            field("precision", 2, FieldDescriptorProto.Type.TYPE_UINT32),
                            field("scale", 3, FieldDescriptorProto.Type.TYPE_INT32))));
            // The older name, kept by Confluent as a public import of the one above.
            FileDescriptor decimalAlias = build(FileDescriptorProto.newBuilder().setName("confluent/types/decimal.proto")
                    .setSyntax("proto3").addDependency("confluent/type/decimal.proto").addPublicDependency(0), decimal);
            FieldDescriptorProto params = field("params", 2, FieldDescriptorProto.Type.TYPE_MESSAGE).toBuilder()
                    .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED).setTypeName(".confluent.Meta.ParamsEntry").build();
            DescriptorProto paramsEntry = message("ParamsEntry",
                    field("key", 1, FieldDescriptorProto.Type.TYPE_STRING),
                    field("value", 2, FieldDescriptorProto.Type.TYPE_STRING)).toBuilder()
                    .setOptions(DescriptorProtos.MessageOptions.newBuilder().setMapEntry(true)).build();
            FileDescriptor meta = build(FileDescriptorProto.newBuilder().setName("confluent/meta.proto")
                    .setPackage("confluent").setSyntax("proto3").addDependency("google/protobuf/descriptor.proto")
                    .addMessageType(message("Meta", field("doc", 1, FieldDescriptorProto.Type.TYPE_STRING), params,
                            field("tags", 3, FieldDescriptorProto.Type.TYPE_STRING).toBuilder()
                                    .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED).build())
                            .toBuilder().addNestedType(paramsEntry).build())
                    .addExtension(field("field_meta", FIELD_META, FieldDescriptorProto.Type.TYPE_MESSAGE).toBuilder()
                            .setTypeName(".confluent.Meta").setExtendee(".google.protobuf.FieldOptions")),
                    descriptorProto);
            FileDescriptor date = build(FileDescriptorProto.newBuilder().setName("google/type/date.proto")
                    .setPackage("google.type").setSyntax("proto3")
                    .addMessageType(message("Date",
                            field("year", 1, FieldDescriptorProto.Type.TYPE_INT32),
                            field("month", 2, FieldDescriptorProto.Type.TYPE_INT32),
                            field("day", 3, FieldDescriptorProto.Type.TYPE_INT32))));
            FileDescriptor timeOfDay = build(FileDescriptorProto.newBuilder().setName("google/type/timeofday.proto")
                    .setPackage("google.type").setSyntax("proto3")
                    .addMessageType(message("TimeOfDay",
                            field("hours", 1, FieldDescriptorProto.Type.TYPE_INT32),
                            field("minutes", 2, FieldDescriptorProto.Type.TYPE_INT32),
                            field("seconds", 3, FieldDescriptorProto.Type.TYPE_INT32),
                            field("nanos", 4, FieldDescriptorProto.Type.TYPE_INT32))));
            META = meta.findMessageTypeByName("Meta");
            Map<String, FileDescriptor> files = new HashMap<>();
            for (FileDescriptor f : List.of(decimal, decimalAlias, meta, date, timeOfDay)) {
                files.put(f.getName(), f);
            }
            FILES = Map.copyOf(files);
        } catch (DescriptorValidationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private BuiltInProtos() {
    }

    /**
     * The one value of a google.type.Date (a LocalDate), google.type.TimeOfDay (a LocalTime) or confluent.type.Decimal
     * (a BigDecimal). A date or time that is not one (a Date without its year, a TimeOfDay of 24:00) is passed on as
     * its text, so that its column refuses it with a message naming the field.
     */
    static Object value(Message m) {
        Descriptor type = m.getDescriptorForType();
        switch (type.getName()) {
            case "Date" -> {
                int year = intField(m, "year");
                int month = intField(m, "month");
                int day = intField(m, "day");
                try {
                    return LocalDate.of(year, month, day);
                } catch (DateTimeException e) {
                    return String.format("%04d-%02d-%02d", year, month, day);
                }
            }
            case "TimeOfDay" -> {
                int hours = intField(m, "hours");
                int minutes = intField(m, "minutes");
                int seconds = intField(m, "seconds");
                int nanos = intField(m, "nanos");
                try {
                    return LocalTime.of(hours, minutes, seconds, nanos);
                } catch (DateTimeException e) {
                    return String.format("%02d:%02d:%02d.%09d", hours, minutes, seconds, nanos);
                }
            }
            default -> { // Decimal: the two's-complement big-endian unscaled value, and its scale
                ByteString unscaled = (ByteString) m.getField(type.findFieldByName("value"));
                BigInteger integer = unscaled.isEmpty() ? BigInteger.ZERO : new BigInteger(unscaled.toByteArray());
                return new BigDecimal(integer, intField(m, "scale"));
            }
        }
    }

    /**
     * Whether a confluent.type.Decimal field fits DECIMAL(38,18): by the precision and scale its
     * {@code confluent.field_meta} params declare (as Confluent's serializers read them), or, when it declares
     * none, assumed to (a value that does not fit is then refused by its column, naming the field).
     */
    static boolean decimalFits(FieldDescriptor f) {
        Map<String, String> params = fieldMeta(f);
        try {
            int precision = Integer.parseInt(params.getOrDefault("precision", "0"));
            int scale = Integer.parseInt(params.getOrDefault("scale", "0"));
            return scale <= ColumnType.DECIMAL_SCALE
                    && precision - scale <= ColumnType.DECIMAL_PRECISION - ColumnType.DECIMAL_SCALE;
        } catch (NumberFormatException e) {
            return false; // a precision that is not a number: keep the exact digits as text
        }
    }

    /** The params of a field's {@code confluent.field_meta} option, kept as an unknown field of its options. */
    private static Map<String, String> fieldMeta(FieldDescriptor f) {
        Map<String, String> params = new HashMap<>();
        UnknownFieldSet.Field meta = f.getOptions().getUnknownFields().getField(FIELD_META);
        for (ByteString bytes : meta.getLengthDelimitedList()) {
            try {
                DynamicMessage m = DynamicMessage.parseFrom(META, bytes);
                FieldDescriptor entries = META.findFieldByName("params");
                for (Object e : (List<?>) m.getField(entries)) {
                    Message entry = (Message) e;
                    Descriptor entryType = entry.getDescriptorForType();
                    params.put((String) entry.getField(entryType.findFieldByName("key")),
                            (String) entry.getField(entryType.findFieldByName("value")));
                }
            } catch (InvalidProtocolBufferException e) {
                // not Confluent's Meta after all: no params
            }
        }
        return params;
    }

    private static int intField(Message m, String name) {
        return (Integer) m.getField(m.getDescriptorForType().findFieldByName(name));
    }

    private static FileDescriptor build(FileDescriptorProto.Builder file, FileDescriptor... dependencies)
            throws DescriptorValidationException {
        return FileDescriptor.buildFrom(file.build(), dependencies);
    }

    private static DescriptorProto message(String name, FieldDescriptorProto... fields) {
        return DescriptorProto.newBuilder().setName(name).addAllField(List.of(fields)).build();
    }

    private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).build();
    }
}
