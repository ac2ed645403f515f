package dev.orderpipeline.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code pipeline-runtime <command>} in a child JVM with a given environment, as a pod would run
 * it: so that tests can SIGKILL it, SIGTERM it, and read its exit code and output.
 */
public final class RuntimeChild implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final Path output;
    private final int httpPort;

    private RuntimeChild(Process process, Path output, int httpPort) {
        this.process = process;
        this.output = output;
        this.httpPort = httpPort;
    }

    public static RuntimeChild start(Path workDir, Map<String, String> env, String... args) {
        try {
            Files.createDirectories(workDir);
            Path output = Files.createTempFile(workDir, "runtime-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    "dev.orderpipeline.runtime.PipelineRuntime"));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("OPL_"));
            pb.environment().putAll(env);
            int port = Integer.parseInt(env.getOrDefault("OPL_HTTP_PORT", "0"));
            return new RuntimeChild(pb.start(), output, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the runtime in a child JVM", e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush; the warehouse keeps only what was committed. */
    public void kill() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, as Kubernetes stops a pod. */
    public int terminate(Duration timeout) {
        process.destroy();
        return waitForExit(timeout);
    }

    public int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("the runtime did not exit within " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "<output unreadable: " + e + ">";
        }
    }

    /**
     * Polls {@code /status} until its counter {@code field} (for example {@code recordsLoaded}) reaches {@code count}
     * or {@code timeout} passes; returns the last value read (0 while the child is not serving).
     */
    public long awaitStatusCount(String field, long count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long value = 0;
        while (value < count && System.nanoTime() < deadline) {
            String status = get("/status");
            value = status == null ? 0 : JSON.readTree(status).get(field).asLong();
            Thread.sleep(100);
        }
        return value;
    }

    /** GET an endpoint of the child's HTTP server; null while it is not serving yet. */
    public String get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(30));
        }
    }
}
