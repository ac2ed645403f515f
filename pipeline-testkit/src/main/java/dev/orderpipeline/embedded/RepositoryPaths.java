package dev.orderpipeline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the project's own tools live, found from the test's working directory. */
public final class RepositoryPaths {
    private RepositoryPaths() {
    }

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(".ci/run"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root (a folder with .ci/run) above "
                    + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /**
     * The JVM options the runtime image sets (its {@code JDK_JAVA_OPTIONS} in pipeline-runtime/Dockerfile), for tests
     * that start a JVM as a loader or replicator pod does.
     */
    public static String runtimeImageJavaOptions() {
        Path dockerfile = root().resolve("pipeline-runtime/Dockerfile");
        try {
            String line = Files.readAllLines(dockerfile).stream().filter(l -> l.contains("JDK_JAVA_OPTIONS=\""))
                    .findFirst().orElseThrow(() -> new IllegalStateException(dockerfile + " sets no JDK_JAVA_OPTIONS"));
            int start = line.indexOf("JDK_JAVA_OPTIONS=\"") + "JDK_JAVA_OPTIONS=\"".length();
            return line.substring(start, line.indexOf('"', start));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project venv that .ci/venv creates; a test that needs it fails, loudly, when it is missing. */
    public static Path venvTool(String tool) {
        String configured = System.getProperty("opl.venv");
        Path venv = configured != null && !configured.isBlank() ? Path.of(configured) : root().resolve(".venv");
        Path executable = venv.resolve("bin").resolve(tool);
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException(executable + " is missing: run .ci/venv (the test command does) to "
                    + "install the pinned Python tools");
        }
        return executable;
    }
}
