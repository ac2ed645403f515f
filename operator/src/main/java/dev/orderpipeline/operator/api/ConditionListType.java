package dev.orderpipeline.operator.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finishing step of the generated CRDs ({@link GeneratedCrdFinish}): marks every {@code status.conditions}
 * list as a map list keyed by {@code type} ({@code x-kubernetes-list-type: map}), as Kubernetes' own types
 * declare theirs. The API server then refuses two conditions of one type, and server-side apply merges
 * conditions by type instead of replacing the whole list. fabric8's generator has no annotation for list
 * types, so the two lines are inserted as text after the list's {@code type: "array"}; the list's items
 * already require {@code type} ({@link ConditionSchema}), which a map key must.
 */
final class ConditionListType {
    private static final String FIELD = "conditions:";

    private ConditionListType() {
    }

    static String mark(String yaml) {
        boolean trailingNewline = yaml.endsWith("\n");
        List<String> lines = new ArrayList<>(Arrays.asList(yaml.split("\n", -1)));
        if (trailingNewline) {
            lines.remove(lines.size() - 1);
        }
        List<String> out = new ArrayList<>();
        String listIndent = null;
        for (String line : lines) {
            out.add(line);
            String trimmed = line.stripLeading();
            String indent = line.substring(0, line.length() - trimmed.length());
            if (trimmed.equals(FIELD)) {
                listIndent = indent + "  ";
            } else if (listIndent != null && indent.length() < listIndent.length()) {
                listIndent = null;
            } else if (listIndent != null && indent.equals(listIndent) && trimmed.equals("type: \"array\"")) {
                out.add(listIndent + "x-kubernetes-list-map-keys:");
                out.add(listIndent + "- \"type\"");
                out.add(listIndent + "x-kubernetes-list-type: \"map\"");
                listIndent = null;
            }
        }
        return String.join("\n", out) + (trailingNewline ? "\n" : "");
    }
}
