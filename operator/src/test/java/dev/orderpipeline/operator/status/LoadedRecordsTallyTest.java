package dev.orderpipeline.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadedRecordsTallyTest {
    private static final ResourceID PIPELINE = new ResourceID("orders", "shop");
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @Test
    void aStatusInHandFromBeforeTheLastWriteNeverLowersTheTotal() {
        LoadedRecordsTally tally = new LoadedRecordsTally();
        assertEquals(1000L, tally.total(PIPELINE, null, Map.of("uid-a", 1000L), NOW));
        // The next reconcile still holds the copy from before that write (or the write failed): no total in it.
        assertEquals(1000L, tally.total(PIPELINE, null, Map.of("uid-a", 1000L), NOW.plusSeconds(1)));
        assertEquals(1500L, tally.total(PIPELINE, 1000L, Map.of("uid-a", 1500L), NOW.plusSeconds(2)));
        assertEquals(1500L, tally.total(PIPELINE, 1000L, Map.of(), NOW.plusSeconds(3)), "no pod answered");
    }

    @Test
    void aReplacedPodAddsWhatItLoadsAndACounterThatWentDownTakesNothingAway() {
        LoadedRecordsTally tally = new LoadedRecordsTally();
        tally.total(PIPELINE, null, Map.of("uid-a", 1500L), NOW);
        assertEquals(1700L, tally.total(PIPELINE, 1500L, Map.of("uid-b", 200L), NOW.plusSeconds(1)));
        assertEquals(1700L, tally.total(PIPELINE, 1700L, Map.of("uid-b", 100L), NOW.plusSeconds(2)));
    }

    @Test
    void aNewOperatorProcessGoesOnFromTheStoredTotal() {
        LoadedRecordsTally tally = new LoadedRecordsTally();
        assertEquals(5000L, tally.total(PIPELINE, 5000L, Map.of("uid-a", 300L), NOW));
        assertEquals(5100L, tally.total(PIPELINE, 5000L, Map.of("uid-a", 400L), NOW.plusSeconds(1)));
    }
}
