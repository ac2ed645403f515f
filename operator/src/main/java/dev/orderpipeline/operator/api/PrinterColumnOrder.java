package dev.orderpipeline.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Finishing step of the generated CRDs ({@link GeneratedCrdFinish}): puts the printer columns of each CRD in
 * the order they are declared on the resource class, so that {@code kubectl get opl} shows READY,
 * PHASE, REPLICAS, LAG, FRESHNESS, LAST DBT, AGE. The fabric8 generator sorts them by JSON path, and has
 * no option to keep the declared order.
 *
 * <p>Only the entries of {@code additionalPrinterColumns} are moved, as text.
 */
public final class PrinterColumnOrder {
    private static final String BLOCK = "  - additionalPrinterColumns:";
    private static final String ENTRY = "    - ";
    private static final String CONTINUATION = "      ";

    private PrinterColumnOrder() {
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
