package dev.orderpipeline.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.warehouse.Row;
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
}
