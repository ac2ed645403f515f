package dev.orderpipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JfrBreakdownTest {

    @Test
    void framesAreGivenToTheLoaderPartTheirClassBelongsTo() {
        assertEquals(JfrBreakdown.Part.RECORD_METADATA, JfrBreakdown.part("dev.orderpipeline.source.KafkaRecordMetadata", "json"));
        assertEquals(JfrBreakdown.Part.HEAP_ESTIMATE, JfrBreakdown.part("dev.orderpipeline.warehouse.HeapSize", "of"));
        assertEquals(JfrBreakdown.Part.BATCH, JfrBreakdown.part("dev.orderpipeline.load.KeyDeduplicator", "lastWins"));
        assertEquals(JfrBreakdown.Part.DECODE, JfrBreakdown.part("com.fasterxml.jackson.core.json.UTF8StreamJsonParser", "nextToken"));
        assertEquals(JfrBreakdown.Part.SINK, JfrBreakdown.part("org.duckdb.DuckDBAppender", "append"));
        assertEquals(JfrBreakdown.Part.KAFKA, JfrBreakdown.part("org.apache.kafka.clients.consumer.KafkaConsumer", "poll"));
        assertNull(JfrBreakdown.part("java.util.HashMap", "get"), "a JDK frame counts for the loader's frame below it");
    }

    @Test
    void threadsThatAreNotJavaThreadsAreTheJvmsOwnOrNative() {
        assertEquals("JVM: GC", ThreadCpu.group("GC Thread#1"));
        assertEquals("JVM: JIT", ThreadCpu.group("C2 CompilerThre"));
        assertEquals("native (not a Java thread): duckdb-worker-N", ThreadCpu.group("duckdb-worker-3"));
    }

    @Test
    void everyThreadOfThisJvmIsReadFromProcWithItsCpuTime() {
        Map<Long, Map.Entry<String, Long>> threads = ThreadCpu.snapshot();
        assertTrue(threads.size() > 1, "this JVM has more than one thread in /proc/self/task: " + threads);
        assertTrue(threads.values().stream().anyMatch(t -> t.getValue() > 0), "some thread of this JVM has used CPU");
    }
}
