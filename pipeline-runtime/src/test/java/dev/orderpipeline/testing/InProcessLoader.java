package dev.orderpipeline.testing;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.load.LoaderStatus;
import dev.orderpipeline.runtime.LoaderProcess;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** A loader on a thread of the test JVM, for tests that need to watch it closely or run two side by side. */
public final class InProcessLoader implements AutoCloseable {
    private final LoaderProcess process;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private InProcessLoader(LoaderProcess process) {
        this.process = process;
        this.thread = new Thread(() -> {
            try {
                process.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-loader");
    }

    public static InProcessLoader start(Map<String, String> env) {
        try {
            Environment environment = new Environment(env); // DD_* / OPL_METRICS_* from the same map, never the JVM's
            InProcessLoader loader = new InProcessLoader(new LoaderProcess(LoaderConfig.from(environment), environment, "127.0.0.1"));
            loader.thread.start();
            return loader;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the loader: " + e.getMessage(), e);
        }
    }

    public LoaderStatus status() {
        return process.status();
    }

    public int httpPort() {
        return process.httpPort();
    }

    public long committedRecords() {
        return status().snapshot().committedOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The error the loader stopped with, if it stopped by itself. */
    public Throwable failure() {
        return failure.get();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    public void stop() {
        process.stop();
        try {
            thread.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("the loader did not stop within 60 s");
        }
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            stop();
        }
        process.close();
    }
}
