package dev.orderpipeline.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each package of the operator is a room with one job, and rooms do not call each other in circles: the
 * package graph, read from the imports of the main sources, has no cycle.
 */
class PackageGraphTest {
    private static final String ROOT = "dev.orderpipeline.operator";
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?" + Pattern.quote(ROOT)
            + "((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

    @Test
    void theOperatorsPackagesDependOnEachOtherWithoutCycles() throws IOException {
        Map<String, Set<String>> graph = graph(Path.of("src/main/java"));
        assertTrue(graph.keySet().containsAll(List.of("", ".api", ".reconciler", ".status", ".dependent", ".scaling")),
                "the graph was read: " + graph.keySet());
        List<List<String>> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            cycleThrough(start, start, graph, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles (each listed from every package on it)");
    }

    @Test
    void theCycleCheckFindsACycle() {
        Map<String, Set<String>> graph = Map.of(".a", Set.of(".b"), ".b", Set.of(".c"), ".c", Set.of(".a"));
        List<List<String>> cycles = new ArrayList<>();
        cycleThrough(".a", ".a", graph, new ArrayList<>(List.of(".a")), new TreeSet<>(), cycles);
        assertEquals(List.of(List.of(".a", ".b", ".c", ".a")), cycles);
    }

    private static void cycleThrough(String start, String at, Map<String, Set<String>> graph, List<String> path,
                                     Set<String> seen, List<List<String>> cycles) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                cycles.add(cycle);
            } else if (seen.add(next)) {
                path.add(next);
                cycleThrough(start, next, graph, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    /** Package (relative to the operator's root, "" for the root itself) → the operator packages it imports. */
    private static Map<String, Set<String>> graph(Path sources) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
                String text = read(file);
                Matcher declared = PACKAGE.matcher(text);
                assertTrue(declared.find(), file + " declares no package");
                String from = declared.group(1).substring(ROOT.length());
                Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher imported = IMPORT.matcher(text);
                while (imported.find()) {
                    if (!imported.group(1).equals(from)) {
                        to.add(imported.group(1));
                    }
                }
            });
        }
        return graph;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
