package dev.orderpipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreshnessTest {
    @Test
    void eachRecordIsTimedToTheFirstObservationPastItAndARevokedPartitionDoesNotGoBack() {
        int[] partition = {0, 0, 1, 1};
        long[] offset = {0, 1, 0, 1};
        long[] timestamp = {1000, 1100, 1000, 1200};
        List<Freshness.Observation> commits = List.of(
                new Freshness.Observation(1500, Map.of(0, 1L)),          // next offset 1: record 0@0 committed
                new Freshness.Observation(2000, Map.of(0, 2L, 1, 2L)),   // everything committed
                new Freshness.Observation(2500, Map.of()));              // partitions revoked at stop
        Freshness.Percentiles p = Freshness.of(partition, offset, timestamp, 0, 4, commits, false);
        assertEquals(new Freshness.Percentiles(800, 1000, 1000, 4), p); // latencies 500, 900, 1000, 800

        // A watermark is the last offset applied: the record at it is visible.
        List<Freshness.Observation> watermarks = List.of(new Freshness.Observation(3000, Map.of(0, 1L, 1, 0L)));
        assertEquals(new Freshness.Percentiles(2000, 2000, 2000, 3), Freshness.of(partition, offset, timestamp, 0, 4, watermarks, true));
        assertEquals(new Freshness.Percentiles(-1, -1, -1, 0), Freshness.of(partition, offset, timestamp, 3, 4, watermarks, true));
    }
}
