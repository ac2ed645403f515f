package dev.orderpipeline.generate;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.orderpipeline.config.RecordFormat;
import dev.orderpipeline.format.SchemaRegistryClient;
import dev.orderpipeline.format.UndecodableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * How {@code generate} writes an order's value: schemaless JSON, or one of Confluent's wire formats (magic byte
 * 0, the 4-byte id of the schema it registers under {@code <topic>-value}, for Protobuf the message index
 * {@code [0]} as its one-byte shortcut, then Avro binary, JSON text or the Protobuf message), as Confluent's
 * serializers write them.
 */
public interface OrderEncoding {

    byte[] encode(Order order);

    /** The order's JSON, as before formats existed. */
    static OrderEncoding json() {
        return order -> order.toJson().getBytes(StandardCharsets.UTF_8);
    }

    /** Registers the Datagen "orders" schema of {@code format} under {@code <topic>-value} and frames each order. */
    static OrderEncoding registered(RecordFormat format, SchemaRegistryClient registry, String topic) {
        String subject = topic + "-value";
        try {
            return switch (format) {
                case JSON -> json();
                case AVRO -> avro(registry.register(subject, "AVRO", AVRO_SCHEMA));
                case JSON_SR -> jsonSchema(registry.register(subject, "JSON", JSON_SCHEMA));
                case PROTOBUF -> protobuf(registry.register(subject, "PROTOBUF",
                        Base64.getEncoder().encodeToString(PROTOBUF_FILE.toByteArray())));
                case STRING -> throw new IllegalArgumentException("generate writes orders as json, avro, json_sr or protobuf");
            };
        } catch (UndecodableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    String AVRO_SCHEMA = """
            {"type":"record","name":"Order","namespace":"dev.orderpipeline.generate","fields":[
              {"name":"ordertime","type":"long"},{"name":"orderid","type":"long"},{"name":"itemid","type":"string"},
              {"name":"orderunits","type":"double"},
              {"name":"address","type":{"type":"record","name":"Address","fields":[
                {"name":"city","type":"string"},{"name":"state","type":"string"},{"name":"zipcode","type":"long"}]}}]}""";

    String JSON_SCHEMA = """
            {"$schema":"http://json-schema.org/draft-07/schema#","title":"Order","type":"object","properties":{
              "ordertime":{"type":"integer"},"orderid":{"type":"integer"},"itemid":{"type":"string"},
              "orderunits":{"type":"number"},
              "address":{"type":"object","properties":{"city":{"type":"string"},"state":{"type":"string"},
                "zipcode":{"type":"integer"}}}},"required":["orderid"]}""";

    FileDescriptorProto PROTOBUF_FILE = FileDescriptorProto.newBuilder()
            .setName("dev/orderpipeline/generate/order.proto").setPackage("dev.orderpipeline.generate").setSyntax("proto3")
            .addMessageType(DescriptorProto.newBuilder().setName("Order")
                    .addField(Fields.of("ordertime", 1, FieldDescriptorProto.Type.TYPE_INT64))
                    .addField(Fields.of("orderid", 2, FieldDescriptorProto.Type.TYPE_INT64))
                    .addField(Fields.of("itemid", 3, FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(Fields.of("orderunits", 4, FieldDescriptorProto.Type.TYPE_DOUBLE))
                    .addField(Fields.of("address", 5, FieldDescriptorProto.Type.TYPE_MESSAGE)
                            .toBuilder().setTypeName(".dev.orderpipeline.generate.Order.Address").build())
                    .addNestedType(DescriptorProto.newBuilder().setName("Address")
                            .addField(Fields.of("city", 1, FieldDescriptorProto.Type.TYPE_STRING))
                            .addField(Fields.of("state", 2, FieldDescriptorProto.Type.TYPE_STRING))
                            .addField(Fields.of("zipcode", 3, FieldDescriptorProto.Type.TYPE_INT64))))
            .build();

    private static OrderEncoding avro(int id) {
        Schema schema = new Schema.Parser().parse(AVRO_SCHEMA);
        Schema addressSchema = schema.getField("address").schema();
        GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
        return order -> {
            GenericRecord address = new GenericData.Record(addressSchema);
            address.put("city", order.address().city());
            address.put("state", order.address().state());
            address.put("zipcode", order.address().zipcode());
            GenericRecord value = new GenericData.Record(schema);
            value.put("ordertime", order.ordertime());
            value.put("orderid", order.orderid());
            value.put("itemid", order.itemid());
            value.put("orderunits", order.orderunits());
            value.put("address", address);
            ByteArrayOutputStream out = framed(id, false);
            try {
                BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
                writer.write(value, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        };
    }

    private static OrderEncoding jsonSchema(int id) {
        return order -> {
            ByteArrayOutputStream out = framed(id, false);
            out.writeBytes(order.toJson().getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        };
    }

    private static OrderEncoding protobuf(int id) {
        Descriptor type;
        try {
            type = FileDescriptor.buildFrom(PROTOBUF_FILE, new FileDescriptor[0]).getMessageTypes().get(0);
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
        Descriptor addressType = type.getNestedTypes().get(0);
        return order -> {
            DynamicMessage address = DynamicMessage.newBuilder(addressType)
                    .setField(addressType.findFieldByName("city"), order.address().city())
                    .setField(addressType.findFieldByName("state"), order.address().state())
                    .setField(addressType.findFieldByName("zipcode"), order.address().zipcode())
                    .build();
            DynamicMessage value = DynamicMessage.newBuilder(type)
                    .setField(type.findFieldByName("ordertime"), order.ordertime())
                    .setField(type.findFieldByName("orderid"), order.orderid())
                    .setField(type.findFieldByName("itemid"), order.itemid())
                    .setField(type.findFieldByName("orderunits"), order.orderunits())
                    .setField(type.findFieldByName("address"), address)
                    .build();
            ByteArrayOutputStream out = framed(id, true);
            out.writeBytes(value.toByteArray());
            return out.toByteArray();
        };
    }

    /** Magic byte 0 and the schema id; for Protobuf the message indexes [0], written as Confluent's single 0. */
    private static ByteArrayOutputStream framed(int id, boolean protobuf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        out.writeBytes(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        if (protobuf) {
            out.write(0);
        }
        return out;
    }

    /** Field declarations of the generated Protobuf schema. */
    final class Fields {
        private Fields() {
        }

        static FieldDescriptorProto of(String name, int number, FieldDescriptorProto.Type type) {
            return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                    .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).build();
        }
    }
}
