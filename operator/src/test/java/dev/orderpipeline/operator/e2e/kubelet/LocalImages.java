package dev.orderpipeline.operator.e2e.kubelet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which local command stands for which image. Images are matched by repository (the reference without
 * its tag or digest), so the chart's and the operator's tags need no adapting. An image without a mapping
 * does not start: its container waits with {@code ErrImageNeverPull}, as a node without that image would.
 */
public final class LocalImages {
    private final Map<String, Function<ContainerLaunch, LocalCommand>> byRepository = new LinkedHashMap<>();

    /** The repository of an image reference: {@code registry.example/o/x:1.0@sha256:…} → {@code registry.example/o/x}. */
    public static String repository(String image) {
        String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        return colon > slash ? name.substring(0, colon) : name;
    }

    public LocalImages map(String repository, Function<ContainerLaunch, LocalCommand> command) {
        byRepository.put(repository, command);
        return this;
    }

    Optional<Function<ContainerLaunch, LocalCommand>> find(String image) {
        return Optional.ofNullable(byRepository.get(repository(image)));
    }

    /** The JVM running this test: the same Java the images are built on. */
    public static String java() {
        return ProcessHandle.current().info().command().orElseThrow(
                () -> new IllegalStateException("cannot tell which java runs this JVM"));
    }

    /**
     * An image whose entrypoint is {@code java -jar <jar>} and whose container gives only args (the
     * runtime image). The container's memory limit becomes the JVM's RAM ({@code -XX:MaxRAM}), as the
     * container's cgroup would be. {@code imageEnv} is the image's ENV.
     */
    public static Function<ContainerLaunch, LocalCommand> javaJar(Path jar, Function<ContainerLaunch, Map<String, String>> imageEnv) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn -B package), the process kubelet runs it");
        }
        return launch -> {
            requireNoCommand(launch);
            List<String> command = new ArrayList<>(List.of(java()));
            launch.memoryLimit().ifPresent(bytes -> command.add("-XX:MaxRAM=" + bytes));
            command.add("-jar");
            command.add(jar.toString());
            command.addAll(launch.args());
            return new LocalCommand(command, imageEnv.apply(launch));
        };
    }

    /** Same, with a main class on a class path (the operator image: its classes and dependencies). */
    public static Function<ContainerLaunch, LocalCommand> javaMain(String classPath, String mainClass,
                                                                   Function<ContainerLaunch, Map<String, String>> imageEnv) {
        return launch -> {
            requireNoCommand(launch);
            List<String> command = new ArrayList<>(List.of(java()));
            launch.memoryLimit().ifPresent(bytes -> command.add("-XX:MaxRAM=" + bytes));
            command.add("-cp");
            command.add(classPath);
            command.add(mainClass);
            command.addAll(launch.args());
            return new LocalCommand(command, imageEnv.apply(launch));
        };
    }

    /**
     * An image whose entrypoint is a local program (a script) taking the container's args (the dbt image:
     * its entrypoint script in the project's checkout, dbt from the project venv). {@code imageEnv} is the
     * image's ENV; paths in it that lie under the container's mount paths are rewritten like the container's own.
     * {@code hostEnv} names this machine's files that stand in for the image's (never rewritten).
     */
    public static Function<ContainerLaunch, LocalCommand> entrypoint(Path program,
                                                                     Function<ContainerLaunch, Map<String, String>> imageEnv,
                                                                     Map<String, String> hostEnv) {
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException(program + " is missing or not executable: the process kubelet runs it");
        }
        return launch -> {
            requireNoCommand(launch);
            List<String> command = new ArrayList<>(List.of(program.toString()));
            command.addAll(launch.args());
            return new LocalCommand(command, imageEnv.apply(launch), hostEnv);
        };
    }

    private static void requireNoCommand(ContainerLaunch launch) {
        if (launch.container().getCommand() != null && !launch.container().getCommand().isEmpty()) {
            throw new UnsupportedOperationException("container " + launch.container().getName()
                    + " overrides the image's entrypoint (command: " + launch.container().getCommand()
                    + "); this local image only runs its own entrypoint");
        }
    }
}
