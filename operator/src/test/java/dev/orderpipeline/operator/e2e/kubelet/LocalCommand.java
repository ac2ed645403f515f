package dev.orderpipeline.operator.e2e.kubelet;

import java.util.List;
import java.util.Map;

/**
 * What runs for a container here: the command line of a local process and environment variables the
 * image would carry (its ENV), added under the container's own.
 */
public record LocalCommand(List<String> command, Map<String, String> imageEnv) {
    public LocalCommand {
        command = List.copyOf(command);
        imageEnv = Map.copyOf(imageEnv);
    }
}
