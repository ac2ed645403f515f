package dev.orderpipeline.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.source.RecordConverter;
import dev.orderpipeline.warehouse.HeapSize;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.TableShape;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingBatchTest {

    private static Row row(int partition, long offset) {
        return new Row(new Object[] {offset}, false, "{}", partition, offset);
    }

    @Test
    void aPartitionHandedOverTakesItsRowsRecordsBytesAndDeadLettersOutOfTheBatch() {
        PendingBatch batch = new PendingBatch();
        batch.add(row(0, 10), 100, 0, 1);
        batch.add(row(0, 11), 100, 0, 1);
        batch.skip(0, 12, 0, 1);
        batch.add(row(1, 40), 50, 0, 1);

        batch.dropPartitions(List.of(0));

        assertEquals(List.of(1), batch.rows().stream().map(Row::partition).toList());
        assertEquals(Map.of(1, 41L), batch.nextOffsets());
        assertEquals(1, batch.records());
        assertEquals(1, batch.loadedRecords(), "the revoked partition's records are not reported as loaded");
        assertEquals(0, batch.skipped());
        assertEquals(50, batch.bytes());
        assertFalse(batch.isDue(0, 2, 100, Long.MAX_VALUE), "no longer due by records or bytes it does not hold");
    }

    @Test
    void droppingEveryPartitionEmptiesTheBatch() {
        PendingBatch batch = new PendingBatch();
        batch.add(row(2, 7), 10, 0, 1);
        batch.dropPartitions(List.of(2));
        assertTrue(batch.isEmpty());
        assertEquals(Map.of(), batch.nextOffsets());
        assertEquals(0, batch.bytes());
    }

    @Test
    void aBatchOfOrdersIsDueWhenTheHeapItsRowsHoldReachesMaxBytesNotTheirWireBytes() throws Exception {
        long maxBytes = 1 << 20;
        RecordConverter converter = new RecordConverter(new TableShape(List.of()), List.of("orderid"));
        OrderGenerator orders = new OrderGenerator(7, 0.0, 0.0);
        PendingBatch batch = new PendingBatch();
        long wireBytes = 0;
        long held = 0;
        int rows = 0;
        while (!batch.isDue(0, Integer.MAX_VALUE, maxBytes, Long.MAX_VALUE)) {
            OrderGenerator.Event e = orders.next();
            Row row = converter.convert(new ConsumerRecord<>("orders", 0, rows, e.key(), e.value()));
            wireBytes += e.key().length + e.value().length;
            held += HeapSize.of(row);
            batch.add(row, 0, 1);
            rows++;
        }
        assertEquals(held, batch.bytes(), "the batch counts what its rows hold");
        assertTrue(held >= maxBytes && held - HeapSize.of(batch.rows().get(rows - 1)) < maxBytes,
                "due with the row that reached maxBytes, not before or after: held " + held);
        // What each row holds beyond its JSON: the key and value bytes kept for the dead-letter topic, a boxed
        // value or a String per field, the row and its metadata. Counting wire bytes let ~3x as many rows in.
        assertTrue(wireBytes * 2.5 < maxBytes, "closed at " + wireBytes + " wire bytes for " + rows + " orders");
    }

    @Test
    void textIsCountedAtTwoBytesPerCharOnceACharIsBeyondLatin1() {
        assertEquals(24 + 16 + 8, HeapSize.string("Item_123"), "8 Latin-1 chars: the String and a 24-byte array");
        assertEquals(24 + 16 + 16, HeapSize.string("Item_12✓"), "the same length with one char beyond Latin-1: UTF-16");
    }
}
