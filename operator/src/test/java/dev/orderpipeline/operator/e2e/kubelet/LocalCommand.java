package dev.orderpipeline.operator.e2e.kubelet;

import java.util.List;
import java.util.Map;

/**
 * What runs for a container here: the command line of a local process, environment variables the image
 * would carry (its ENV, naming paths inside the container: rewritten like the container's own), and
 * variables naming files of this machine that stand in for the image's own (its project, its tools: never
 * rewritten, since the checkout may itself lie under a mount path such as /tmp), all under the container's own.
 */
public record LocalCommand(List<String> command, Map<String, String> imageEnv, Map<String, String> hostEnv) {
    public LocalCommand {
        command = List.copyOf(command);
        imageEnv = Map.copyOf(imageEnv);
        hostEnv = Map.copyOf(hostEnv);
    }

    public LocalCommand(List<String> command, Map<String, String> imageEnv) {
        this(command, imageEnv, Map.of());
    }
}
