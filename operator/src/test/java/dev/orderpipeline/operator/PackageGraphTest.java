package dev.orderpipeline.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.testing.PackageGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each package of the operator is a room with one job, and rooms do not call each other in circles: the
 * package graph, read from the imports of the main sources, has no cycle.
 */
class PackageGraphTest {
    @Test
    void theOperatorsPackagesDependOnEachOtherWithoutCycles() throws IOException {
        PackageGraph graph = PackageGraph.read(Path.of("src/main/java"), "dev.orderpipeline.operator");
        assertTrue(graph.packages().containsAll(List.of("", ".api", ".reconciler", ".status", ".dependent", ".scaling")),
                "the graph was read: " + graph.packages());
        assertEquals(List.of(), graph.cycles(), "package cycles (each listed from every package on it)");
    }

    @Test
    void theCycleCheckFindsACycle() {
        PackageGraph graph = new PackageGraph(Map.of(".a", Set.of(".b"), ".b", Set.of(".c"), ".c", Set.of(".a")));
        assertEquals(List.of(List.of(".a", ".b", ".c", ".a"), List.of(".b", ".c", ".a", ".b"),
                List.of(".c", ".a", ".b", ".c")), graph.cycles());
    }
}
