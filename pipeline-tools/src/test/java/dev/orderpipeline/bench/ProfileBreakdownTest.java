package dev.orderpipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileBreakdownTest {

    /** The busy loop's result, kept so that the JIT cannot drop the loop. */
    static volatile long sink;

    @TempDir
    Path work;

    @Test
    void framesAreGivenToTheLoaderPartTheirClassBelongsTo() {
        assertEquals(ProfileBreakdown.Part.RECORD_METADATA, ProfileBreakdown.part("dev.orderpipeline.source.KafkaRecordMetadata", "json"));
        assertEquals(ProfileBreakdown.Part.HEAP_ESTIMATE, ProfileBreakdown.part("dev.orderpipeline.warehouse.HeapSize", "of"));
        assertEquals(ProfileBreakdown.Part.BATCH, ProfileBreakdown.part("dev.orderpipeline.load.KeyDeduplicator", "lastWins"));
        assertEquals(ProfileBreakdown.Part.DECODE, ProfileBreakdown.part("com.fasterxml.jackson.core.json.UTF8StreamJsonParser", "nextToken"));
        assertEquals(ProfileBreakdown.Part.SINK, ProfileBreakdown.part("org.duckdb.DuckDBAppender", "append"));
        assertEquals(ProfileBreakdown.Part.KAFKA, ProfileBreakdown.part("org.apache.kafka.clients.consumer.KafkaConsumer", "poll"));
        assertNull(ProfileBreakdown.part("java.util.HashMap", "get"), "a JDK frame counts for the loader's frame below it");
    }

    @Test
    void nativeCodeBelowALoaderFrameCountsForThatPartOutsideJavaAndThreadsWithoutJavaFramesByTheirRole() {
        String collapsed = String.join("\n",
                // the warehouse thread in DuckDB's C++ through JNI, under the Appender
                "[loader-warehouse tid=7];java/lang/Thread.run;dev/orderpipeline/warehouse/DuckDbWarehouse.stage;"
                        + "org/duckdb/DuckDBAppender.endRow;org/duckdb/DuckDBBindings.duckdb_appender_flush;"
                        + "duckdb::Appender::Flush;__memmove_avx_unaligned_erms 30",
                // the same part in Java code; a JDK frame at the leaf counts for the project frame below it
                "[loader-warehouse tid=7];java/lang/Thread.run;dev/orderpipeline/warehouse/DuckDbWarehouse.stage;"
                        + "java/util/ArrayList.get 10",
                "[bench-loader tid=8];java/lang/Thread.run;dev/orderpipeline/source/RecordConverter.convert;"
                        + "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.nextToken;Interpreter 20",
                "[bench-loader tid=8];java/lang/Thread.run;java/util/HashMap.get 5",
                "[C2 CompilerThre tid=3];start_thread;CompileBroker::compiler_thread_loop 25",
                "[VM Thread tid=2];start_thread;DefNewGeneration::copy_to_survivor_space 8",
                "[tid=11];start_thread;duckdb::TaskScheduler::ExecuteForever 2",
                // the bench's own watcher is not the loader's CPU
                "[bench-watch tid=9];java/lang/Thread.run;dev/orderpipeline/bench/BenchChild.watch 40",
                "");
        ProfileBreakdown.Result r = ProfileBreakdown.parse(collapsed);

        assertEquals(100, r.samples());
        assertEquals(Map.of(
                "sink: JDBC, Appender, COPY: outside Java code (JNI, JVM runtime, kernel)", 30L,
                "sink: JDBC, Appender, COPY: Java code", 10L,
                "decode: JSON → row: Java code", 20L,
                "other Java code (JDK, logging, start-up)", 5L,
                "JVM: JIT compilers", 25L,
                "JVM: garbage collection (GC threads, VM thread)", 8L,
                "native code, no Java frame: tid=N", 2L), r.lines());
        assertEquals(40L, r.threads().get("loader-warehouse"));
        // 100 samples of 1 ms over 50,000 records: 2 µs a record, 30 of them 0.6 µs
        String table = r.perRecord(50_000);
        assertTrue(table.contains("50000 records: 2.00 µs"), table);
        assertTrue(table.matches("(?s).*outside Java code \\(JNI, JVM runtime, kernel\\) +0\\.60 µs.*"), table);
    }

    @Test
    void theProfilerSamplesThisJvmAndItsSamplesBreakDownByPart() throws Exception {
        Path collapsed = work.resolve("test.collapsed");
        ProfileBreakdown.startSampling();
        long until = System.nanoTime() + 1_500_000_000L;
        long found = 0;
        while (System.nanoTime() < until) {
            // project code (bench: the loop's part) keeping a core busy
            found += ProfileBreakdown.isJava("dev/orderpipeline/load/Loader.run" + (found & 7)) ? 1 : 0;
        }
        ProfileBreakdown.stopSamplingInto(collapsed);

        sink = found;

        ProfileBreakdown.Result r = ProfileBreakdown.read(collapsed);
        long loop = r.lines().getOrDefault("loader loop, status, other project code: Java code", 0L);
        // ~1,500 samples of this thread's 1.5 s of CPU; at least a third of them, on a busy machine
        assertTrue(loop > 500, "the busy loop's samples: " + r.lines());
    }
}
