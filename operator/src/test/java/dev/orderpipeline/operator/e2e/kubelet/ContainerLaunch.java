package dev.orderpipeline.operator.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container about to start, as an image mapping sees it: its environment and arguments already
 * resolved (references, {@code $(VAR)}) and with mount paths rewritten to the pod's directories.
 *
 * @param podIP        the pod's own 127.0.0.N
 * @param env          the container's environment, resolved
 * @param args         the container's args, resolved and path-mapped
 * @param memoryLimit  {@code resources.limits.memory} in bytes, if set (the JVM of a container sees it as its RAM)
 * @param podDirectory the pod's directory (volumes, logs)
 */
public record ContainerLaunch(Pod pod, Container container, String podIP, Map<String, String> env, List<String> args,
                              Optional<Long> memoryLimit, Path podDirectory) {
}
