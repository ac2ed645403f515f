package dev.orderpipeline.runtime;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The last words of a process that exits on an error: printed, and written to the termination-message file
 * so that the pod's container state (and the operator's status, which reads it) says why without a log.
 * Written only where the file already exists (the kubelet creates it at each start): a runtime started
 * outside Kubernetes never creates files under /dev.
 */
final class TerminationMessage {
    /** Kubernetes keeps at most 4096 bytes of it. */
    private static final int LIMIT = 4096;

    private TerminationMessage() {
    }

    /** {@code message} must hold no secret: the configuration errors never quote a secret value. */
    static void exiting(String message) {
        System.err.println(message);
        try {
            String configured = Environment.system().optional(Setting.TERMINATION_MESSAGE_PATH)
                    .orElse(Setting.TERMINATION_MESSAGE_PATH.defaultValue());
            Path file = Path.of(configured);
            if (Files.isRegularFile(file) && Files.isWritable(file)) {
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                Files.write(file, bytes.length > LIMIT ? java.util.Arrays.copyOf(bytes, LIMIT) : bytes);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("(the termination message could not be written: " + e.getClass().getSimpleName() + ")");
        }
    }
}
