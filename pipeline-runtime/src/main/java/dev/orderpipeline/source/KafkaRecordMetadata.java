package dev.orderpipeline.source;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.orderpipeline.warehouse.HeapSize;
import dev.orderpipeline.warehouse.RecordMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.header.Header;

/**
 * The Kafka coordinates of one record, kept as they came off the wire and written as
 * RECORD_METADATA text only when the row is staged (on the commit thread, and only for rows that
 * survive deduplication). Smaller than the text, too: a pending batch holds the key bytes, not a
 * 150-character string per row.
 *
 * <p>A key or header value is written as text when it is valid UTF-8 without U+0000; otherwise (a
 * Schema-Registry-framed key starts with byte 0, Avro and Protobuf keys are binary) as Base64: the key
 * with {@code "key_encoding":"base64"} beside it, a header as {@code {"base64":"…"}}. Bytes that are not
 * text would otherwise be mangled into replacement characters, and PostgreSQL's JSONB refuses
 * {@code \u0000} outright.
 *
 * @param jsonPrefix {@code {"topic":"…","partition":}, escaped once per topic by {@link RecordConverter}
 * @param value the record's value bytes as they came (a reference, no copy): if the warehouse refuses the
 *              row, the original record goes to the dead-letter topic. Held only while the batch is pending,
 *              bounded by OPL_BATCH_MAX_BYTES.
 * @param headers the record's headers as an array ({@code Headers.toArray()}): a record without headers then holds
 *                Kafka's one shared empty array, not the RecordHeaders and list the consumer built for it, which would
 *                stay alive (and be copied by every young collection) for as long as the row is pending
 * @param schemaId the value's Schema Registry id (written as {@code "schema_id"}, as Snowflake's Kafka connector
 *                 does), or -1 for formats without one
 * @param keySchemaId the key's ({@code "key_schema_id"}), or -1
 */
record KafkaRecordMetadata(String jsonPrefix, int partition, long offset, long timestamp, byte[] key, byte[] value,
                           Header[] headers, int schemaId, int keySchemaId)
        implements RecordMetadata {

    KafkaRecordMetadata(String jsonPrefix, int partition, long offset, long timestamp, byte[] key, byte[] value,
                        Header[] headers) {
        this(jsonPrefix, partition, offset, timestamp, key, value, headers, -1, -1);
    }

    /** This record object (header, five references, two ints, three longs; the prefix is shared per topic). */
    private static final int SELF = 56;
    /** One RecordHeader with the ByteBuffer it was read from. */
    private static final int HEADER = 72;

    /** The key and value bytes dominate: they stay referenced until the batch commits (for the dead-letter topic). */
    @Override
    public long heldBytes() {
        long size = SELF + HeapSize.bytes(key) + HeapSize.bytes(value)
                + (headers.length == 0 ? 0 : HeapSize.referenceArray(headers.length)); // the empty array is shared
        for (Header header : headers) {
            size += HEADER + HeapSize.string(header.key()) + HeapSize.bytes(header.value());
        }
        return size;
    }

    static String jsonPrefix(String topic) {
        StringBuilder prefix = new StringBuilder("{\"topic\":");
        appendString(prefix, topic);
        return prefix.append(",\"partition\":").toString();
    }

    @Override
    public String json() {
        StringBuilder json = new StringBuilder(jsonPrefix.length() + 112);
        appendJson(json);
        return json.toString();
    }

    @Override
    public void appendJson(StringBuilder json) {
        json.append(jsonPrefix).append(partition)
                .append(",\"offset\":").append(offset)
                .append(",\"timestamp\":").append(timestamp)
                .append(",\"key\":");
        String keyText = textOrNull(key);
        if (key != null && keyText == null) {
            appendBase64(json, key);
            json.append(",\"key_encoding\":\"base64\"");
        } else {
            appendNullable(json, keyText);
        }
        if (schemaId >= 0) {
            json.append(",\"schema_id\":").append(schemaId);
        }
        if (keySchemaId >= 0) {
            json.append(",\"key_schema_id\":").append(keySchemaId);
        }
        json.append(",\"headers\":{");
        boolean first = true;
        for (Header header : headers) {
            if (!first) {
                json.append(',');
            }
            first = false;
            appendString(json, header.key());
            json.append(':');
            String value = textOrNull(header.value());
            if (header.value() != null && value == null) {
                json.append("{\"base64\":");
                appendBase64(json, header.value());
                json.append('}');
            } else {
                appendNullable(json, value);
            }
        }
        json.append("}}");
    }

    /** The bytes as text when they are valid UTF-8 without U+0000; null when they are absent or not such text. */
    static String textOrNull(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        boolean ascii = true;
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
            ascii &= b > 0;
        }
        if (ascii) {
            // Every key of the common case (a number or an id as text): no decoder to allocate, one copy.
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void appendNullable(StringBuilder json, String text) {
        if (text == null) {
            json.append("null");
        } else {
            appendString(json, text);
        }
    }

    private static void appendBase64(StringBuilder json, byte[] bytes) {
        json.append('"').append(Base64.getEncoder().encodeToString(bytes)).append('"');
    }

    private static void appendString(StringBuilder json, String s) {
        json.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, json);
        json.append('"');
    }
}
