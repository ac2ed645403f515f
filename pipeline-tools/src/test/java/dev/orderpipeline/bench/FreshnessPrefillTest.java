package dev.orderpipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.tools.PipelineTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --freshness-only --prefill-rows N}: the freshness table starts with N replicated rows,
 * and every record of the run is still seen visible (the prefilled offsets lie below the run's). No
 * timing is asserted.
 */
class FreshnessPrefillTest {
    @TempDir
    Path work;

    @Test
    void aPrefilledTableIsReplicatedFirstAndEveryRecordOfTheRunBecomesVisible() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = PipelineTools.execute("bench", "--freshness-only", "--prefill-rows", "3000", "--partitions", "2",
                    "--rate", "500", "--freshness-seconds", "3", "--warmup-seconds", "1", "--loader-heap", "256m",
                    "--work-dir", work.toString());
        } finally {
            System.setOut(original);
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stdout);
        JsonNode f = new ObjectMapper().readTree(stdout).get("freshness");
        assertEquals(3_000, f.get("prefillRows").asLong(), f.toString());
        assertTrue(f.get("prefillSnapshotSeconds").asDouble() > 0, f.toString());
        assertEquals(1_000, f.get("recordsVisibleCounted").asLong(), "3 s at 500/s, the first second not counted: " + f);
        assertTrue(0 <= f.get("visibleP50Millis").asLong() && f.get("visibleP50Millis").asLong() <= f.get("visibleP99Millis").asLong(),
                f.toString());
        assertTrue(f.get("replicaMatches").asBoolean(), "PostgreSQL holds the warehouse's live orders: " + f);
    }

    @Test
    void withTheProductionMixUpdatesAndTombstonesReachThePrefilledOrdersAndTheReplicaStillMatches() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = PipelineTools.execute("bench", "--freshness-only", "--prefill-rows", "3000", "--production-mix",
                    "--partitions", "2", "--rate", "500", "--freshness-seconds", "3", "--warmup-seconds", "1",
                    "--loader-heap", "256m", "--work-dir", work.toString());
        } finally {
            System.setOut(original);
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stdout);
        JsonNode f = new ObjectMapper().readTree(stdout).get("freshness");
        assertEquals(0.30, f.get("updateFraction").asDouble(), f.toString());
        assertEquals(0.03, f.get("tombstoneFraction").asDouble(), f.toString());
        assertEquals(1_000, f.get("recordsVisibleCounted").asLong(), "every record of the counted seconds became visible: " + f);
        // 1,500 events, 30 % of them updates drawn mostly from the 3,000 prefilled orders.
        assertTrue(f.get("prefilledRowsUpdatedInReplica").asLong() > 100, f.toString());
        assertTrue(f.get("warehouseLiveRows").asLong() < 3_000 + 1_500, "tombstones removed live orders: " + f);
        assertTrue(f.get("replicaMatches").asBoolean(), "PostgreSQL holds the warehouse's live orders: " + f);
    }
}
