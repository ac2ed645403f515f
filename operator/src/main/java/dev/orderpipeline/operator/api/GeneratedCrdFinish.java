package dev.orderpipeline.operator.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Build step (process-classes, right after the CRD generator): what fabric8's generator cannot express,
 * applied as text to the files it wrote: printer columns in their declared order ({@link PrinterColumnOrder})
 * and conditions as a map list keyed by type ({@link ConditionListType}). Every other byte stays as
 * generated. The drift test compares this output with crds/, so it stays a check of "crds/ is what the
 * build produces from the classes".
 */
public final class GeneratedCrdFinish {
    static final List<Class<? extends HasMetadata>> RESOURCES = List.of(OrderPipeline.class, CdcSync.class);

    private GeneratedCrdFinish() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        for (Class<? extends HasMetadata> type : RESOURCES) {
            Path file = dir.resolve(HasMetadata.getPlural(type) + "." + HasMetadata.getGroup(type) + "-v1.yml");
            String before = Files.readString(file, StandardCharsets.UTF_8);
            String after = ConditionListType.mark(PrinterColumnOrder.reorder(before, PrinterColumnOrder.declaredOrder(type)));
            if (!after.equals(before)) {
                Files.writeString(file, after, StandardCharsets.UTF_8);
            }
        }
    }
}
