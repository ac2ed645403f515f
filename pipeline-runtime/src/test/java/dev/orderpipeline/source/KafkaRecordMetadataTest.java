package dev.orderpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class KafkaRecordMetadataTest {
    static final String PREFIX = KafkaRecordMetadata.jsonPrefix("orders");

    static String json(byte[] key, RecordHeaders headers) {
        return new KafkaRecordMetadata(PREFIX, 1, 42, 1_700_000_000_000L, key, null, headers.toArray()).json();
    }

    @Test
    void aTextKeyAndTextHeadersAreWrittenAsText() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("source", "datagen ✓".getBytes(StandardCharsets.UTF_8));
        headers.add("empty", null);
        assertEquals("{\"topic\":\"orders\",\"partition\":1,\"offset\":42,\"timestamp\":1700000000000,\"key\":\"Item_1\","
                + "\"headers\":{\"source\":\"datagen ✓\",\"empty\":null}}", json("Item_1".getBytes(StandardCharsets.UTF_8), headers));
    }

    @Test
    void aSchemaRegistryFramedKeyIsWrittenAsBase64AndSaysSo() {
        // Confluent's wire format: magic byte 0, a 4-byte schema id, then the serialized key.
        byte[] framed = {0, 0, 0, 0, 7, 'k', 'e', 'y'};
        assertEquals("{\"topic\":\"orders\",\"partition\":1,\"offset\":42,\"timestamp\":1700000000000,\"key\":\""
                + Base64.getEncoder().encodeToString(framed) + "\",\"key_encoding\":\"base64\",\"headers\":{}}",
                json(framed, new RecordHeaders()));
    }

    @Test
    void bytesThatAreNotUtf8TextAreWrittenAsBase64NeverAsReplacementCharacters() {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xE9};
        RecordHeaders headers = new RecordHeaders();
        headers.add("schema-id", new byte[] {0, 0, 0, 1});
        assertEquals("{\"topic\":\"orders\",\"partition\":1,\"offset\":42,\"timestamp\":1700000000000,\"key\":\"Y2Fm6Q==\","
                + "\"key_encoding\":\"base64\",\"headers\":{\"schema-id\":{\"base64\":\"AAAAAQ==\"}}}", json(latin1, headers));
    }

    @Test
    void appendJsonWritesTheSameTextAfterWhatTheBufferAlreadyHolds() {
        KafkaRecordMetadata metadata = new KafkaRecordMetadata(PREFIX, 1, 42, 1_700_000_000_000L,
                "Item_1".getBytes(StandardCharsets.UTF_8), null, new RecordHeaders().toArray());
        StringBuilder staged = new StringBuilder("previous row|");
        metadata.appendJson(staged);
        assertEquals("previous row|" + metadata.json(), staged.toString());
    }

    @Test
    void aRecordWithoutAKeyHasANullKey() {
        assertEquals("{\"topic\":\"orders\",\"partition\":1,\"offset\":42,\"timestamp\":1700000000000,\"key\":null,"
                + "\"headers\":{}}", json(null, new RecordHeaders()));
    }
}
