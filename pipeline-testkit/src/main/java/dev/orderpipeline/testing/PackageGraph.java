package dev.orderpipeline.testing;

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

/**
 * Which packages of a module import which, read from the import lines of its main sources, and the
 * cycles in that graph: the check behind each module's "rooms do not call each other in circles" test.
 * Packages are named relative to the module's root package ("" for the root itself, ".api" below it).
 */
public final class PackageGraph {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

    private final Map<String, Set<String>> edges;

    public PackageGraph(Map<String, Set<String>> edges) {
        this.edges = Map.copyOf(edges);
    }

    /** The graph of the sources under {@code sources} whose packages lie under {@code rootPackage}. */
    public static PackageGraph read(Path sources, String rootPackage) throws IOException {
        Pattern imports = Pattern.compile("^import (?:static )?" + Pattern.quote(rootPackage)
                + "((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]", Pattern.MULTILINE);
        Map<String, Set<String>> edges = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String text = read(file);
                Matcher declared = PACKAGE.matcher(text);
                if (!declared.find() || !declared.group(1).startsWith(rootPackage)) {
                    throw new IllegalArgumentException(file + " declares no package under " + rootPackage);
                }
                String from = declared.group(1).substring(rootPackage.length());
                Set<String> to = edges.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher imported = imports.matcher(text);
                while (imported.find()) {
                    if (!imported.group(1).equals(from)) {
                        to.add(imported.group(1));
                    }
                }
            }
        }
        return new PackageGraph(edges);
    }

    public Set<String> packages() {
        return new TreeSet<>(edges.keySet());
    }

    /** Every cycle, listed once from each package on it, as the path that leaves and returns to it. */
    public List<List<String>> cycles() {
        List<List<String>> cycles = new ArrayList<>();
        for (String start : new TreeSet<>(edges.keySet())) {
            cycleThrough(start, start, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        return cycles;
    }

    private void cycleThrough(String start, String at, List<String> path, Set<String> seen, List<List<String>> cycles) {
        for (String next : new TreeSet<>(edges.getOrDefault(at, Set.of()))) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                cycles.add(cycle);
            } else if (seen.add(next)) {
                path.add(next);
                cycleThrough(start, next, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
