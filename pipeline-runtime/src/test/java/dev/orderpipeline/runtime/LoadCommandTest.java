package dev.orderpipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.testing.RuntimeChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process, as a pod runs it: bad configuration exits non-zero with a message naming the setting. */
class LoadCommandTest {
    @TempDir
    Path dir;

    @Test
    void loadWithNoConfigurationExitsWithCodeTwoNamingTheFirstMissingSetting() {
        try (RuntimeChild child = RuntimeChild.start(dir, Map.of(), "load")) {
            assertEquals(2, child.waitForExit(Duration.ofSeconds(60)));
            assertTrue(child.output().contains("OPL_PIPELINE_NAME is required"), child.output());
        }
    }

    @Test
    void loadWithAnInjectedTableNameExitsWithCodeTwoNamingTheSetting() {
        Map<String, String> env = Map.of(
                "OPL_PIPELINE_NAME", "orders",
                "OPL_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9",
                "OPL_KAFKA_TOPIC", "orders",
                "OPL_DEAD_LETTER_TOPIC", "orders-dlq",
                "OPL_SINK_TABLE", "orders; drop table x");
        try (RuntimeChild child = RuntimeChild.start(dir, env, "load")) {
            assertEquals(2, child.waitForExit(Duration.ofSeconds(60)));
            assertTrue(child.output().contains("OPL_SINK_TABLE='orders; drop table x' is invalid"), child.output());
        }
    }
}
