package dev.orderpipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.RepositoryPaths;
import dev.orderpipeline.tools.PipelineTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench} end to end with a tiny topic: every figure is present and sane. No timing is asserted. */
class BenchCommandTest {
    static final int ORDERS = 5_000;

    @TempDir
    Path work;

    @Test
    void measuredLoadersRunWithTheJvmOptionsOfTheRuntimeImage() throws Exception {
        String imageOptions = RepositoryPaths.runtimeImageJavaOptions();
        for (String option : BenchCommand.POD_JAVA_OPTIONS.split(" ")) {
            assertTrue(imageOptions.contains(option), option + " is in the image's JVM options: " + imageOptions);
        }
        // The bench's default -Xms is a pod's initial heap at the loader's default 1Gi memory limit.
        Matcher initial = Pattern.compile("-XX:InitialRAMPercentage=(\\d+)").matcher(imageOptions);
        assertTrue(initial.find(), imageOptions);
        String defaultInitialHeap = new CommandLine(new BenchCommand()).getCommandSpec()
                .findOption("--loader-initial-heap").defaultValue();
        assertEquals((1L << 30) * Long.parseLong(initial.group(1)) / 100, ChildJvm.JvmOptions.bytes(defaultInitialHeap));
        // And its default -Xmx the heap such a pod may grow to, which leaves DuckDB what a pod's runtime would give it.
        Matcher maximum = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(imageOptions);
        assertTrue(maximum.find(), imageOptions);
        assertEquals(BenchCommand.POD_HEAP_PERCENT, Integer.parseInt(maximum.group(1)));
        String defaultHeap = new CommandLine(new BenchCommand()).getCommandSpec().findOption("--loader-heap").defaultValue();
        assertEquals((1L << 30) * BenchCommand.POD_HEAP_PERCENT / 100, ChildJvm.JvmOptions.bytes(defaultHeap));
        assertEquals("320MiB", BenchCommand.podDuckDbMemoryLimit(defaultHeap));
    }

    @Test
    void theInitialHeapIsNeverAboveTheMaximumHeap() {
        assertEquals(Optional.of("-Xms256m"), new ChildJvm.JvmOptions("512m", "256m", List.of(), false).initialHeapFlag());
        assertEquals(Optional.of("-Xms128m"), new ChildJvm.JvmOptions("128m", "256m", List.of(), false).initialHeapFlag());
        assertEquals(Optional.of("-Xms1g"), new ChildJvm.JvmOptions("2048m", "1g", List.of(), false).initialHeapFlag());
        assertEquals(Optional.empty(), new ChildJvm.JvmOptions("512m", "", List.of(), false).initialHeapFlag());
    }

    @Test
    void everyCommandsHelpFormatsWithoutWarnings() {
        // picocli formats descriptions with String.format: a lone '%' prints a warning and the raw text instead.
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(help, true, StandardCharsets.UTF_8));
            for (String command : List.of("bench", "demo")) {
                assertEquals(0, PipelineTools.execute(command, "--help"));
            }
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
        assertTrue(help.toString(StandardCharsets.UTF_8).contains("30 % updates"), help::toString);
    }

    @Test
    void benchMeasuresEveryFigureAndPrintsThemAsJson() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = PipelineTools.execute("bench", "--orders", Integer.toString(ORDERS), "--partitions", "3",
                    "--loaders", "2", "--rate", "1000", "--freshness-seconds", "4", "--warmup-seconds", "1",
                    "--loader-heap", "256m", "--stall-seconds", "2", "--production-mix", "--work-dir", work.toString(), "--json",
                    "--profile");
        } finally {
            System.setOut(original);
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stdout);
        JsonNode r = new ObjectMapper().readTree(stdout); // stdout is the JSON and nothing else

        assertEquals(ORDERS, r.get("orders").asLong());
        assertEquals(BenchCommand.UPDATES, r.get("updateFraction").asDouble());
        assertEquals(BenchCommand.TOMBSTONES, r.get("tombstoneFraction").asDouble());
        for (String loader : List.of("bench-duckdb-0", "bench-postgres-0")) {
            String profile = Files.readString(work.resolve(loader + "-profile.txt"));
            assertTrue(profile.contains(ORDERS + " records") && profile.contains("sink: JDBC, Appender, COPY"),
                    "--profile broke the loader's CPU down by part: " + profile);
        }
        assertTrue(r.get("topicBytes").asLong() > ORDERS * 100L, "orders are ~180 bytes of JSON each");
        for (String measure : List.of("consumeOnly", "duckdbAppender", "postgresCopy", "sinkAloneDuckdb", "sinkAlonePostgres",
                "loaderDuckdb", "loaderPostgres", "replicatorPostgres")) {
            JsonNode m = r.get("rates").get(measure);
            assertTrue(m != null && m.get("recordsPerSecond").asLong() > 0, measure + ": " + m);
            assertTrue(m.get("seconds").asDouble() >= 0, measure);
        }
        for (String measure : List.of("loaderDuckdb", "loaderPostgres", "replicatorPostgres")) {
            JsonNode m = r.get("rates").get(measure);
            assertTrue(m.get("ratio").asDouble() > 0, measure + " has a ratio to its ceiling: " + m);
        }
        Map<String, Double> targets = Map.of("loaderDuckdb", BenchCommand.LOADER_DUCKDB_OF_CONSUME_ONLY,
                "sinkAlonePostgres", BenchCommand.SINK_ALONE_POSTGRES_OF_COPY,
                "loaderPostgresOfSinkAlone", BenchCommand.LOADER_POSTGRES_OF_SINK_ALONE,
                "replicatorPostgres", BenchCommand.REPLICATOR_OF_COPY);
        targets.forEach((measure, target) -> {
            JsonNode m = r.get("rates").get(measure);
            assertEquals(target, m.get("target").asDouble(), measure + ": " + m);
            assertEquals(m.get("ratio").asDouble() >= target, m.get("met").asBoolean(), measure + " is met when its ratio reaches the target: " + m);
        });
        assertEquals("consumeOnly", r.get("rates").get("loaderDuckdb").get("ceiling").asText());
        assertEquals("postgresCopy", r.get("rates").get("loaderPostgres").get("ceiling").asText());
        for (String jvm : List.of("consumeOnly", "loaderDuckdb", "loaderPostgres")) {
            assertTrue(r.get("cpuMicrosPerRecord").get(jvm).asDouble() > 0, jvm + " used CPU: " + r.get("cpuMicrosPerRecord"));
        }
        JsonNode cpu = r.get("cpuMicrosPerRecord");
        assertEquals(BenchCommand.LOADER_CPU_MICROS_PER_RECORD, cpu.get("loaderTarget").asDouble());
        for (String loader : List.of("loaderDuckdb", "loaderPostgres")) {
            assertEquals(cpu.get(loader).asDouble() <= BenchCommand.LOADER_CPU_MICROS_PER_RECORD, cpu.get(loader + "Met").asBoolean(),
                    loader + " meets the CPU target when its CPU per record is within it: " + cpu);
        }
        assertEquals("sinkAloneDuckdb", r.get("rates").get("loaderDuckdbOfSinkAlone").get("ceiling").asText());
        assertEquals("sinkAlonePostgres", r.get("rates").get("loaderPostgresOfSinkAlone").get("ceiling").asText());
        for (String measure : List.of("sinkAloneDuckdb", "sinkAlonePostgres", "loaderDuckdbOfSinkAlone", "loaderPostgresOfSinkAlone")) {
            assertTrue(r.get("rates").get(measure).get("ratio").asDouble() > 0, measure + ": " + r.get("rates").get(measure));
        }
        assertTrue(r.get("rates").get("loaderDuckdb").get("megabytesPerSecond").asDouble() > 0);

        JsonNode scaling = r.get("scaling");
        assertEquals(2, scaling.get("loaders").asInt());
        assertTrue(scaling.get("recordsPerSecond").asLong() > 0 && scaling.get("ratio").asDouble() > 0, scaling.toString());
        assertEquals(2, scaling.get("memory").size());

        JsonNode f = r.get("freshness");
        assertEquals(3_000, f.get("recordsCounted").asLong(), "4 s at 1,000/s, the first second not counted: " + f);
        long p50 = f.get("committedP50Millis").asLong();
        long p99 = f.get("committedP99Millis").asLong();
        long max = f.get("committedMaxMillis").asLong();
        assertTrue(0 <= p50 && p50 <= p99 && p99 <= max, f.toString());
        long vp50 = f.get("visibleP50Millis").asLong();
        long vmax = f.get("visibleMaxMillis").asLong();
        assertTrue(0 <= vp50 && vp50 <= f.get("visibleP99Millis").asLong() && f.get("visibleP99Millis").asLong() <= vmax,
                f.toString());
        assertEquals(3_000, f.get("recordsVisibleCounted").asLong(), f.toString());
        assertEquals(2_000, f.get("committedP99TargetMillis").asLong());
        assertEquals(2_100, f.get("visibleP99TargetMillis").asLong(), "maxLatency + the CDC interval (100 ms) + 1 s");
        assertEquals(f.get("visibleP99Millis").asLong() <= 2_100, f.get("visibleP99Met").asBoolean(), f.toString());

        for (String sink : List.of("duckdb", "postgres")) {
            JsonNode m = r.get("loaderMemory").get(sink);
            long heap = m.get("peakHeapBytes").asLong();
            assertTrue(heap > 0 && heap <= m.get("maxHeapBytes").asLong() * 2, sink + ": " + m);
            assertTrue(m.get("maxHeapBytes").asLong() <= 256L << 20, "--loader-heap reaches the child JVM: " + m);
            assertTrue(m.get("peakRssBytes").asLong() > heap / 4, sink + ": " + m);
            assertEquals(ORDERS, m.get("recordsLoaded").asLong(), sink);
        }

        JsonNode stall = r.get("stalledSink");
        assertEquals(2, stall.get("stallSeconds").asInt(), stall.toString());
        assertEquals("256m", stall.get("loaderHeap").asText());
        assertTrue(!stall.get("outOfMemory").asBoolean() && stall.get("failure").isNull(), stall.toString());
        assertTrue(stall.get("maxHeapBytes").asLong() <= 256L << 20, "--stall-heap reaches the child JVM: " + stall);
        assertTrue(stall.get("peakHeapBytesDuringStall").asLong() > 0 && stall.get("peakRssBytesDuringStall").asLong() > 0,
                stall.toString());
        assertTrue(stall.get("pausedMillisDuringStall").asLong() >= 0 && stall.get("recordsHeldAtStallEnd").asLong() >= 0,
                stall.toString());
        // 30 % updates and 3 % tombstones: fewer live orders than records, each loaded once.
        long live = stall.get("expectedLiveOrders").asLong();
        assertTrue(live > ORDERS / 2 && live < ORDERS, stall.toString());
        assertEquals(live, stall.get("liveRows").asLong(), stall.toString());
        assertEquals(stall.get("distinctOrders").asLong(), stall.get("rowsInTable").asLong(), stall.toString());
        assertTrue(stall.get("allLoadedOnce").asBoolean() && stall.get("met").asBoolean(), stall.toString());
        assertEquals(ORDERS, stall.get("loaderMemory").get("recordsLoaded").asLong(), stall.toString());
    }

    @Test
    void replicatorOnlyMeasuresTheCopyCeilingTheLoaderThatFillsTheTableAndTheSnapshot() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = PipelineTools.execute("bench", "--orders", "3000", "--partitions", "2", "--replicator-only",
                    "--cdc-batch-size", "500", "--cdc-snapshot-batch-size", "500", "--json");
        } finally {
            System.setOut(original);
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stdout);
        JsonNode result = new ObjectMapper().readTree(stdout);
        JsonNode rates = result.get("rates");
        assertEquals(List.of("postgresCopy", "loaderDuckdb", "replicatorPostgres"), listOf(rates.fieldNames()));
        JsonNode replicator = rates.get("replicatorPostgres");
        assertEquals("postgresCopy", replicator.get("ceiling").asText());
        assertTrue(replicator.get("recordsPerSecond").asLong() > 0 && replicator.get("ratio").asDouble() > 0, replicator.toString());
        Path temporaryWork = Path.of(result.get("workDir").asText());
        assertFalse(Files.exists(temporaryWork), "a run without --work-dir removes its own directory (databases, PostgreSQL): "
                + temporaryWork);
    }

    private static List<String> listOf(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
