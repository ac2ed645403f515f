package dev.orderpipeline.operator.e2e.kubelet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the process kubelet points a container's paths at its pod's directories (see PodFiles). */
class MountPathRewriteTest {
    private static final Map<String, Path> MOUNTS = new LinkedHashMap<>();

    static {
        // Longest first, as PodFiles orders them.
        MOUNTS.put("/var/lib/orderpipeline", Path.of("/tmp/kubelet/p1/volumes/data"));
        MOUNTS.put("/tmp", Path.of("/tmp/kubelet/p1/volumes/tmp"));
    }

    @Test
    void aValueThatIsAMountPathOrUnderOneMovesToThePodsDirectory() {
        assertEquals("/tmp/kubelet/p1/volumes/data/orders.duckdb", PodFiles.map("/var/lib/orderpipeline/orders.duckdb", MOUNTS));
        assertEquals("/tmp/kubelet/p1/volumes/tmp", PodFiles.map("/tmp", MOUNTS));
    }

    @Test
    void aMountPathInsideJvmOptionsIsRewrittenToo() {
        assertEquals("-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp/kubelet/p1/volumes/tmp -Dx=1",
                PodFiles.map("-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp -Dx=1", MOUNTS));
    }

    @Test
    void aRewrittenPathIsNotRewrittenAgainAndLookalikesAreLeftAlone() {
        // The replacement for /var/lib/orderpipeline must not be taken for /tmp on a second pass.
        assertEquals("/tmp/kubelet/p1/volumes/data", PodFiles.map("/var/lib/orderpipeline", MOUNTS));
        assertEquals("/tmpfiles/x", PodFiles.map("/tmpfiles/x", MOUNTS));
        assertEquals("/data/tmp", PodFiles.map("/data/tmp", MOUNTS));
        assertEquals("kafka:9092", PodFiles.map("kafka:9092", MOUNTS));
    }

    @Test
    void dollarReferencesExpandFromVariablesDefinedBefore() {
        Map<String, String> defined = Map.of("POD_NAME", "loader-1");
        assertEquals("id-loader-1", ContainerEnvironment.expand("id-$(POD_NAME)", defined));
        assertEquals("$(UNKNOWN)", ContainerEnvironment.expand("$(UNKNOWN)", defined));
        assertEquals("$(POD_NAME)", ContainerEnvironment.expand("$$(POD_NAME)", defined));
    }
}
