package dev.orderpipeline.source;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.orderpipeline.warehouse.RecordMetadata;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka coordinates of one record, kept as they came off the wire and written as
 * RECORD_METADATA text only when the row is staged (on the commit thread, and only for rows that
 * survive deduplication). Smaller than the text, too: a pending batch holds the key bytes, not a
 * 150-character string per row.
 *
 * @param jsonPrefix {@code {"topic":"…","partition":}, escaped once per topic by {@link RecordConverter}
 * @param value the record's value bytes as they came (a reference, no copy): if the warehouse refuses the
 *              row, the original record goes to the dead-letter topic. Held only while the batch is pending,
 *              bounded by OPL_BATCH_MAX_BYTES.
 */
record KafkaRecordMetadata(String jsonPrefix, int partition, long offset, long timestamp, byte[] key, byte[] value,
                           Headers headers)
        implements RecordMetadata {

    static String jsonPrefix(String topic) {
        StringBuilder prefix = new StringBuilder("{\"topic\":");
        appendString(prefix, topic);
        return prefix.append(",\"partition\":").toString();
    }

    @Override
    public String json() {
        StringBuilder json = new StringBuilder(jsonPrefix.length() + 112);
        json.append(jsonPrefix).append(partition)
                .append(",\"offset\":").append(offset)
                .append(",\"timestamp\":").append(timestamp)
                .append(",\"key\":");
        appendBytes(json, key);
        json.append(",\"headers\":{");
        boolean first = true;
        for (Header header : headers) {
            if (!first) {
                json.append(',');
            }
            first = false;
            appendString(json, header.key());
            json.append(':');
            appendBytes(json, header.value());
        }
        return json.append("}}").toString();
    }

    private static void appendBytes(StringBuilder json, byte[] utf8) {
        if (utf8 == null) {
            json.append("null");
        } else {
            appendString(json, new String(utf8, StandardCharsets.UTF_8));
        }
    }

    private static void appendString(StringBuilder json, String s) {
        json.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, json);
        json.append('"');
    }
}
