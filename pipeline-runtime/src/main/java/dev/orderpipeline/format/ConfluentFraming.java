package dev.orderpipeline.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Confluent's wire format, read without Confluent's serializers: magic byte 0 then the schema id as a
 * 4-byte big-endian integer, then the payload; for Protobuf a list of message indexes (zig-zag varints,
 * a length then the indexes; a length of 0 means [0]) comes before the payload. Newer Confluent clients
 * can instead put the schema's GUID in a header ({@code __value_schema_id} / {@code __key_schema_id}: magic
 * byte 1 and 16 bytes of GUID, plus the Protobuf indexes) and leave the payload unframed; the header wins
 * when present, as in Confluent's own {@code dual_schema_id_deserializer}.
 */
public final class ConfluentFraming {
    public static final String VALUE_SCHEMA_ID_HEADER = "__value_schema_id";
    public static final String KEY_SCHEMA_ID_HEADER = "__key_schema_id";
    private static final byte MAGIC_ID = 0;
    private static final byte MAGIC_GUID = 1;

    private ConfluentFraming() {
    }

    /** The schema reference and where the payload starts. */
    public record Framed(SchemaRef schema, int payloadOffset, List<Integer> messageIndexes) {
    }

    public static Framed read(byte[] bytes, Headers headers, boolean key, boolean protobuf) throws UndecodableException {
        Header header = headers == null ? null : headers.lastHeader(key ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER);
        if (header != null && header.value() != null) {
            Framed fromHeader = parse(header.value(), protobuf, "the " + header.key() + " header");
            return new Framed(fromHeader.schema(), 0, fromHeader.messageIndexes());
        }
        return parse(bytes, protobuf, "the " + (key ? "key" : "value"));
    }

    private static Framed parse(byte[] bytes, boolean protobuf, String what) throws UndecodableException {
        if (bytes.length < 1 || (bytes[0] != MAGIC_ID && bytes[0] != MAGIC_GUID)) {
            throw new UndecodableException(what + " is not in Confluent's wire format: it does not start with magic byte 0 "
                    + "(or 1) and a schema id" + (bytes.length == 0 ? " (it is empty)" : " (first byte " + (bytes[0] & 0xff) + ")")
                    + "; was it written by a Schema Registry serializer?");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte magic = buffer.get();
        SchemaRef ref;
        if (magic == MAGIC_ID) {
            if (buffer.remaining() < 4) {
                throw new UndecodableException(what + " ends inside its 4-byte schema id");
            }
            ref = SchemaRef.ofId(buffer.getInt());
        } else {
            if (buffer.remaining() < 16) {
                throw new UndecodableException(what + " ends inside its 16-byte schema GUID");
            }
            ref = SchemaRef.ofGuid(new UUID(buffer.getLong(), buffer.getLong()));
        }
        List<Integer> indexes = protobuf ? messageIndexes(buffer, what) : List.of();
        return new Framed(ref, buffer.position(), indexes);
    }

    private static List<Integer> messageIndexes(ByteBuffer buffer, String what) throws UndecodableException {
        int count = zigzagVarint(buffer, what);
        if (count < 0 || count > 100_000) {
            throw new UndecodableException(what + " has an invalid Protobuf message index count " + count);
        }
        if (count == 0) {
            return List.of(0);
        }
        List<Integer> indexes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            indexes.add(zigzagVarint(buffer, what));
        }
        return List.copyOf(indexes);
    }

    private static int zigzagVarint(ByteBuffer buffer, String what) throws UndecodableException {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            if (!buffer.hasRemaining()) {
                throw new UndecodableException(what + " ends inside its Protobuf message indexes");
            }
            int b = buffer.get() & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw new UndecodableException(what + " has a Protobuf message index longer than 5 bytes");
    }
}
