package dev.orderpipeline.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step (process-classes, right after the CRD generator): puts the printer columns of each generated
 * CRD in the order they are declared on the resource class, so that {@code kubectl get opl} shows READY,
 * PHASE, REPLICAS, LAG, FRESHNESS, LAST DBT, AGE. The fabric8 generator sorts them by JSON path, and has
 * no option to keep the declared order.
 *
 * <p>Only the entries of {@code additionalPrinterColumns} are moved, as text; every other byte of the file
 * stays as generated. The drift test compares this post-processed output with crds/, so it stays a check
 * of "crds/ is what the build produces from the classes".
 */
public final class PrinterColumnOrder {
    static final List<Class<? extends HasMetadata>> RESOURCES = List.of(OrderPipeline.class, CdcSync.class);
    private static final String BLOCK = "  - additionalPrinterColumns:";
    private static final String ENTRY = "    - ";
    private static final String CONTINUATION = "      ";

    private PrinterColumnOrder() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        for (Class<? extends HasMetadata> type : RESOURCES) {
            Path file = dir.resolve(HasMetadata.getPlural(type) + "." + HasMetadata.getGroup(type) + "-v1.yml");
            String before = Files.readString(file, StandardCharsets.UTF_8);
            String after = reorder(before, declaredOrder(type));
            if (!after.equals(before)) {
                Files.writeString(file, after, StandardCharsets.UTF_8);
            }
        }
    }

    /** Column names in the order of the annotations on the class. */
    public static List<String> declaredOrder(Class<?> type) {
        return Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
    }

    /** The YAML with every printer-column list sorted by {@code order}; unknown columns keep their place at the end. */
    static String reorder(String yaml, List<String> order) {
        boolean trailingNewline = yaml.endsWith("\n");
        List<String> lines = new ArrayList<>(Arrays.asList(yaml.split("\n", -1)));
        if (trailingNewline) {
            lines.remove(lines.size() - 1);
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            out.add(line);
            if (!line.equals(BLOCK)) {
                continue;
            }
            List<List<String>> entries = new ArrayList<>();
            while (i < lines.size() && (lines.get(i).startsWith(ENTRY) || lines.get(i).startsWith(CONTINUATION))) {
                if (lines.get(i).startsWith(ENTRY) || entries.isEmpty()) {
                    entries.add(new ArrayList<>());
                }
                entries.get(entries.size() - 1).add(lines.get(i++));
            }
            List<List<String>> sorted = new ArrayList<>(entries);
            sorted.sort(Comparator.comparingInt(entry -> {
                int index = order.indexOf(name(entry));
                return index < 0 ? order.size() : index;
            }));
            sorted.forEach(out::addAll);
        }
        return String.join("\n", out) + (trailingNewline ? "\n" : "");
    }

    private static String name(List<String> entry) {
        for (String line : entry) {
            String field = line.substring(Math.min(line.length(), CONTINUATION.length())).trim();
            if (line.startsWith(ENTRY)) {
                field = line.substring(ENTRY.length()).trim();
            }
            if (field.startsWith("name: ")) {
                String value = field.substring("name: ".length()).trim();
                return value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
            }
        }
        return "";
    }
}
