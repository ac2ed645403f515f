package dev.orderpipeline.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ConfluentFramingTest {
    @Test
    void magicByteZeroIsFollowedByABigEndianSchemaIdThenThePayload() throws Exception {
        byte[] bytes = {0, 0, 0, 1, 2, 42, 43};
        ConfluentFraming.Framed framed = ConfluentFraming.read(bytes, new RecordHeaders(), false, false);
        assertEquals(SchemaRef.ofId(258), framed.schema());
        assertEquals(5, framed.payloadOffset());
        assertEquals(List.of(), framed.messageIndexes());
    }

    @Test
    void protobufMessageIndexesAreZigZagVarintsAndAnEmptyListMeansTheFirstMessage() throws Exception {
        // count 2 (zig-zag 4), indexes 1 (2) and 70 (140 = 0x8c 0x01)
        byte[] nested = {0, 0, 0, 0, 7, 4, 2, (byte) 0x8c, 0x01, 99};
        ConfluentFraming.Framed framed = ConfluentFraming.read(nested, null, false, true);
        assertEquals(List.of(1, 70), framed.messageIndexes());
        assertEquals(9, framed.payloadOffset());
        byte[] first = {0, 0, 0, 0, 7, 0, 99};
        assertEquals(List.of(0), ConfluentFraming.read(first, null, false, true).messageIndexes());
    }

    @Test
    void theSchemaGuidInTheValueHeaderWinsAndThePayloadIsUnframed() throws Exception {
        UUID guid = UUID.fromString("6f1c2b3a-9d4e-4f5a-8b6c-7d8e9f0a1b2c");
        byte[] header = ByteBuffer.allocate(17).put((byte) 1).putLong(guid.getMostSignificantBits())
                .putLong(guid.getLeastSignificantBits()).array();
        RecordHeaders headers = new RecordHeaders();
        headers.add(ConfluentFraming.VALUE_SCHEMA_ID_HEADER, header);
        byte[] payload = {2, 4, 6};
        ConfluentFraming.Framed framed = ConfluentFraming.read(payload, headers, false, false);
        assertEquals(SchemaRef.ofGuid(guid), framed.schema());
        assertEquals(0, framed.payloadOffset());
        // the key side looks at its own header only
        UndecodableException e = assertThrows(UndecodableException.class,
                () -> ConfluentFraming.read(payload, headers, true, false));
        assertTrue(e.getMessage().startsWith("the key is not in Confluent's wire format"), e.getMessage());
    }

    @Test
    void bytesWithoutTheMagicByteOrCutShortAreUndecodableWithTheReason() {
        assertTrue(assertThrows(UndecodableException.class, () -> ConfluentFraming.read("{\"a\":1}".getBytes(), null, false, false))
                .getMessage().contains("(first byte 123)"));
        assertEquals("the value ends inside its 4-byte schema id", assertThrows(UndecodableException.class,
                () -> ConfluentFraming.read(new byte[] {0, 0, 1}, null, false, false)).getMessage());
        assertTrue(assertThrows(UndecodableException.class, () -> ConfluentFraming.read(new byte[0], null, false, false))
                .getMessage().contains("(it is empty)"));
    }
}
