package dev.orderpipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One {@link BenchChild} in its own JVM ({@code java -cp <this jar> dev.orderpipeline.bench.BenchChild}),
 * configured by {@code OPL_*} variables like a pod. Its protocol lines are collected as they come:
 * the first-record time, every move of its committed offsets, and its final memory report.
 */
final class ChildJvm implements AutoCloseable {
    /** A move of the committed offsets, as the child saw it. */
    record Commit(long epochMillis, Map<Integer, Long> offsets) {
    }

    /** A time the child's loader had its partitions paused; {@code toMillis} is 0 while it lasts. */
    record Pause(long fromMillis, long toMillis) {
    }

    /** HotSpot's exit code after an OutOfMemoryError with -XX:+ExitOnOutOfMemoryError. */
    private static final int OUT_OF_MEMORY_EXIT = 3;

    private final Process process;
    private final Writer stdin;
    private final Path log;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch result = new CountDownLatch(1);
    private final List<Commit> commits = new CopyOnWriteArrayList<>();
    private final List<Pause> pauses = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Map<String, Object>> memoryReplies = new LinkedBlockingQueue<>();
    private volatile long firstRecordMillis;
    private volatile boolean outOfMemory;
    private volatile Map<String, Object> report;
    private volatile String failure;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::read, "bench-child-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the child and waits until it has built its loader (JVM start and class loading are not measured). */
    static ChildJvm start(Path workDir, String name, JvmOptions jvm, Map<String, String> env, String... args) {
        try {
            Path log = workDir.resolve(name + ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + jvm.heap());
            jvm.initialHeapFlag().ifPresent(command::add);
            command.add("-XX:+ExitOnOutOfMemoryError"); // an OutOfMemoryError is a result, never a half-working JVM
            command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
            command.addAll(jvm.extra());
            if (jvm.profile()) {
                command.add("-Dopl.bench.profile=" + workDir.resolve(name + ".collapsed"));
            }
            command.addAll(List.of("-cp", absoluteClassPath(), BenchChild.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectError(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("OPL_") || k.startsWith("DD_"));
            pb.environment().putAll(env);
            ChildJvm child = new ChildJvm(pb.start(), log);
            child.awaitReady();
            return child;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM", e);
        }
    }

    /**
     * Heap (-Xmx), initial heap (-Xms; blank for the JVM's own), further JVM flags (a garbage collector, as a pod's
     * JVM options would set) and profiling of the measured JVMs.
     */
    record JvmOptions(String heap, String initialHeap, List<String> extra, boolean profile) {
        JvmOptions {
            extra = List.copyOf(extra);
        }

        /** -Xms, never above -Xmx (a JVM refuses to start with an initial heap larger than its maximum). */
        Optional<String> initialHeapFlag() {
            if (initialHeap.isBlank()) {
                return Optional.empty();
            }
            return Optional.of("-Xms" + (bytes(initialHeap) <= bytes(heap) ? initialHeap : heap));
        }

        /** A size as -Xmx spells it: digits and an optional k, m or g. */
        static long bytes(String size) {
            String s = size.trim().toLowerCase(Locale.ROOT);
            int shift = switch (s.charAt(s.length() - 1)) {
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                default -> 0;
            };
            return Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1)) << shift;
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("READY")) {
                    ready.countDown();
                } else if (line.startsWith("FIRST ")) {
                    firstRecordMillis = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("COMMIT ")) {
                    commits.add(parseCommit(line));
                } else if (line.startsWith("PAUSED ")) {
                    pauses.add(new Pause(Long.parseLong(line.substring(7).trim()), 0));
                } else if (line.startsWith("RESUMED ") && !pauses.isEmpty()) {
                    Pause open = pauses.get(pauses.size() - 1);
                    pauses.set(pauses.size() - 1, new Pause(open.fromMillis(), Long.parseLong(line.substring(8).trim())));
                } else if (line.startsWith("MEMORY ")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = new ObjectMapper().readValue(line.substring(7), Map.class);
                    memoryReplies.add(m);
                } else if (line.startsWith("RESULT ")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = new ObjectMapper().readValue(line.substring(7), Map.class);
                    report = m;
                    result.countDown();
                } else if (line.startsWith("FAILED ")) {
                    failure = line.substring(7);
                    ready.countDown();
                    result.countDown();
                }
            }
        } catch (IOException e) {
            failure = "lost the child's output: " + e;
        } finally {
            if (failure == null && report == null) {
                failure = exitedOutOfMemory()
                        ? "the child JVM ran out of heap (OutOfMemoryError, exit code " + OUT_OF_MEMORY_EXIT + "); see " + log
                        : "the child JVM exited; see " + log;
            }
            ready.countDown();
            result.countDown();
        }
    }

    /** After the child's output ended: did it end with an OutOfMemoryError? */
    private boolean exitedOutOfMemory() {
        try {
            if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == OUT_OF_MEMORY_EXIT) {
                outOfMemory = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!outOfMemory) {
            outOfMemory = tail(log).contains("Terminating due to java.lang.OutOfMemoryError");
        }
        return outOfMemory;
    }

    /** True once the child has ended with an OutOfMemoryError. */
    boolean outOfMemory() {
        return outOfMemory;
    }

    private static Commit parseCommit(String line) {
        String[] parts = line.split(" ");
        Map<Integer, Long> offsets = new TreeMap<>();
        if (parts.length > 2) {
            for (String po : parts[2].split(",")) {
                if (!po.isEmpty()) {
                    String[] kv = po.split("=");
                    offsets.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
                }
            }
        }
        return new Commit(Long.parseLong(parts[1]), offsets);
    }

    private void awaitReady() {
        try {
            if (!ready.await(2, TimeUnit.MINUTES) || failure != null) {
                throw new IllegalStateException("the child JVM did not get ready: " + (failure == null ? "timeout" : failure)
                        + " (log: " + log + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    void send(String word) {
        try {
            stdin.write(word + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the child JVM is gone: " + failure + " (log: " + log + ")", e);
        }
    }

    long firstRecordMillis() {
        return firstRecordMillis;
    }

    List<Commit> commits() {
        return commits;
    }

    /** Records committed so far: the sum of the latest committed offsets (every partition starts at 0). */
    long committed() {
        return commits.isEmpty() ? 0 : commits.get(commits.size() - 1).offsets().values().stream().mapToLong(Long::longValue).sum();
    }

    String failure() {
        return failure;
    }

    List<Pause> pauses() {
        return pauses;
    }

    /** The child's memory and record counts now ({@code MEMORY}); null when it does not answer (it failed). */
    Map<String, Object> memoryNow(Duration timeout) {
        send("MEMORY");
        try {
            return memoryReplies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The child's name: its log, and its CPU samples with --profile, are {@code <work-dir>/<name>.log} and {@code .collapsed}. */
    String name() {
        String file = log.getFileName().toString();
        return file.substring(0, file.length() - ".log".length());
    }

    Path profileFile() {
        return log.resolveSibling(name() + ".collapsed");
    }

    /** Asks for the final report ({@code STOP} for loaders; {@code consume} reports by itself) and waits for it. */
    Map<String, Object> awaitReport(Duration timeout) {
        try {
            if (!result.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || report == null) {
                throw new IllegalStateException("no report from the child JVM: " + (failure == null ? "timeout" : failure)
                        + " (log: " + log + ")");
            }
            return report;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            if (report == null) {
                process.destroy(); // failed, or abandoned: no clean stop to wait for
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The child runs in the work directory, so a relative class path (java -jar target/x.jar) must be made absolute. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
