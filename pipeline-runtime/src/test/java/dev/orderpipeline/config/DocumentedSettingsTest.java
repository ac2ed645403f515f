package dev.orderpipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.embedded.RepositoryPaths;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The environment contract is documented where users look for it; a new setting without docs fails here. */
class DocumentedSettingsTest {
    @Test
    void everyRuntimeSettingIsDocumentedInTheReadmeOrTheCdcGuide() throws Exception {
        String docs = Files.readString(RepositoryPaths.root().resolve("README.md"))
                + Files.readString(RepositoryPaths.root().resolve("pipeline-runtime/CDC.md"));
        List<String> undocumented = Arrays.stream(Setting.values())
                .map(Setting::envName)
                .filter(name -> !docs.contains("`" + name + "`") && !docs.contains(name + "`,") && !docs.contains("`" + name))
                .toList();
        assertEquals(List.of(), undocumented, "document these variables in README.md (load) or pipeline-runtime/CDC.md (cdc)");
    }
}
