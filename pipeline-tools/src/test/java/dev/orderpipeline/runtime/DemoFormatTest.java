package dev.orderpipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.tools.PipelineTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code demo --format}: the whole path with a Confluent format and the in-memory registry, every check passing. */
class DemoFormatTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"avro", "json_sr", "protobuf"})
    void theDemoWithAConfluentFormatStartsARegistryAndEveryCheckPasses(String format) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = PipelineTools.execute("demo", "--orders", "3000", "--malformed", "5", "--partitions", "2",
                    "--duckdb-path", work.resolve("demo.duckdb").toString(), "--format", format);
        } finally {
            System.setOut(original);
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stdout);
        assertTrue(stdout.contains("Schema Registry (in memory, the test kit's) up at http://127.0.0.1:"), stdout);
        assertTrue(stdout.contains("[ok] DuckDB equals the state recomputed from the topic"), stdout);
        assertTrue(stdout.contains("[ok] every malformed record is in orders-dlq"), stdout);
        assertTrue(stdout.contains("[ok] PostgreSQL equals the warehouse's live orders (count and checksum)"), stdout);
    }
}
