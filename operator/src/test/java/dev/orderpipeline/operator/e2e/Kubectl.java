package dev.orderpipeline.operator.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** kubectl, run as a user runs it: a subprocess with the test API server's kubeconfig. */
public final class Kubectl {
    private final Path binary;
    private final Path kubeconfig;

    Kubectl(Path binary, Path kubeconfig) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
    }

    /** What one kubectl command did. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** For assertion messages. */
        public String describe() {
            return "$ kubectl " + String.join(" ", command) + "\n(exit " + exitCode + ")\n--- stdout\n" + stdout
                    + "--- stderr\n" + stderr;
        }
    }

    public Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs kubectl with the given text on standard input (for {@code -f -}). */
    public Result runWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(Arrays.asList(args));
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                // Nothing from the developer's own kubectl setup leaks in (a KUBECONFIG, a plugin dir, colours).
                pb.environment().remove("KUBECONFIG");
                pb.environment().put("NO_COLOR", "1");
                Process p = pb.start();
                if (stdin != null) {
                    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                p.getOutputStream().close();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
                }
                return new Result(List.copyOf(command.subList(2, command.size())), p.exitValue(),
                        Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running kubectl", e);
        }
    }

    /** Runs kubectl and fails the test, with everything kubectl printed, unless it exits 0. */
    public Result ok(String... args) {
        Result r = run(args);
        if (!r.ok()) {
            throw new AssertionError("kubectl failed:\n" + r.describe());
        }
        return r;
    }

    /** Same, with standard input. */
    public Result okWithInput(String stdin, String... args) {
        Result r = runWithInput(stdin, args);
        if (!r.ok()) {
            throw new AssertionError("kubectl failed:\n" + r.describe());
        }
        return r;
    }
}
