package dev.orderpipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.testing.PackageGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each package of the runtime is a room with one job, and rooms do not call each other in circles: the
 * package graph, read from the imports of the main sources, has no cycle.
 */
class PackageGraphTest {
    @Test
    void theRuntimesPackagesDependOnEachOtherWithoutCycles() throws IOException {
        PackageGraph graph = PackageGraph.read(Path.of("src/main/java"), "dev.orderpipeline");
        assertTrue(graph.packages().containsAll(List.of(".config", ".schema", ".warehouse", ".load", ".cdc", ".format")),
                "the graph was read: " + graph.packages());
        assertEquals(List.of(), graph.cycles(), "package cycles (each listed from every package on it)");
    }
}
