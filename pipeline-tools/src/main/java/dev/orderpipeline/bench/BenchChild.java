package dev.orderpipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.runtime.CdcProcess;
import dev.orderpipeline.runtime.LoaderProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The measured side of {@code bench}, in a child JVM of its own so that its heap and RSS are the
 * loader's alone (the broker and the benchmark's bookkeeping live in the parent). Modes:
 * <ul>
 *   <li>{@code load}: the same {@link LoaderProcess} {@code pipeline-runtime load} runs, configured by
 *       the same {@code OPL_*} environment;</li>
 *   <li>{@code load+cdc}: that loader into DuckDB and, in the same JVM (DuckDB has one writer
 *       process), the replicator from that table into PostgreSQL;</li>
 *   <li>{@code consume <records>}: ceiling A, poll and discard with the loader's consumer settings.</li>
 * </ul>
 * Protocol on stdout, one line each: {@code READY}; then after {@code GO} on stdin,
 * {@code FIRST <epoch ms>} at the first consumed record and {@code COMMIT <epoch ms> p=o,…} each
 * time the committed offsets move, {@code PAUSED <epoch ms>} / {@code RESUMED <epoch ms>} when the
 * loader pauses / resumes its partitions (a stalled or failing sink); after {@code STOP} on stdin (or
 * at the end of {@code consume}), {@code RESULT <json>} with peak heap, RSS and CPU time. Unlike SIGTERM,
 * {@code STOP} lets the JVM report its memory after the loader has flushed. A loader also answers
 * {@code MARK} (restart the peak heap and peak RSS from now) and {@code MEMORY} (a {@code MEMORY <json>}
 * line: the peaks since the mark, and the loader's record counts). The parent starts children with
 * {@code -XX:+ExitOnOutOfMemoryError}: an OutOfMemoryError ends the JVM with exit code 3.
 */
public final class BenchChild {
    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            StandardCharsets.UTF_8);

    /** Process CPU time at the first consumed record and at the last commit seen: the measured window. */
    private static volatile long cpuAtFirst;
    private static volatile long cpuAtLastCommit;
    /** With {@code bench --profile}: where the CPU samples of the loader's run go ({@link ProfileBreakdown}). */
    private static final String PROFILE = System.getProperty("opl.bench.profile");
    /** Whether the samples started: at the first record, which a loader that never read one has not seen. */
    private static volatile boolean sampling;

    private BenchChild() {
    }

    public static void main(String[] args) throws Exception {
        // Protocol lines only on the real stdout; anything else the libraries print goes to stderr.
        System.setOut(System.err);
        String mode = args.length > 0 ? args[0] : "load";
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            if (mode.equals("consume")) {
                consume(Long.parseLong(args[1]), stdin);
            } else {
                load(mode.equals("load+cdc"), stdin);
            }
        } catch (Throwable t) {
            say("FAILED " + t.toString().replace('\n', ' '));
            t.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        System.exit(0);
    }

    private static void consume(long records, BufferedReader stdin) throws Exception {
        LoaderConfig config = LoaderConfig.from(Environment.system());
        say("READY");
        await(stdin, "GO");
        Rate rate = ConsumeOnlyCeiling.measure(config.source(), Math.min(config.batch().maxRecords(), 10_000), records,
                first -> {
                    cpuAtFirst = processCpuNanos();
                    say("FIRST " + first);
                });
        long cpuAtEnd = processCpuNanos();
        Map<String, Object> result = memory();
        result.put("cpuNanos", cpuAtEnd - cpuAtFirst);
        result.put("records", rate.records());
        result.put("bytes", rate.bytes());
        result.put("nanos", rate.elapsed().toNanos());
        say("RESULT " + new ObjectMapper().writeValueAsString(result));
    }

    private static void load(boolean withCdc, BufferedReader stdin) throws Exception {
        Environment env = Environment.system();
        LoaderConfig config = LoaderConfig.from(env);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (LoaderProcess loader = new LoaderProcess(config, env, "127.0.0.1");
             CdcProcess cdc = withCdc ? new CdcProcess(CdcConfig.from(env).sharingDuckDb(), env, "127.0.0.1") : null) {
            say("READY");
            await(stdin, "GO");
            Thread loaderThread = run("bench-loader", loader::run, failure);
            Thread watcher = new Thread(() -> watch(loader, failure), ProfileBreakdown.BENCH_WATCH);
            watcher.setDaemon(true);
            watcher.start();
            Thread cdcThread = null;
            if (cdc != null) {
                // The replicator starts once the loader's first commit created the table and its columns;
                // before that it would only fail and back off (up to OPL_RETRY_MAX_BACKOFF), which is not freshness.
                while (loader.status().snapshot().batchesCommitted() == 0 && failure.get() == null) {
                    Thread.sleep(5);
                }
                cdcThread = run("bench-cdc", cdc::run, failure);
            }
            serve(stdin, loader);
            loader.stop();
            loaderThread.join();
            if (cdc != null) {
                cdc.stop();
                cdcThread.join();
            }
            var status = loader.status().snapshot();
            Map<String, Object> result = memory();
            result.put("cpuNanos", cpuAtLastCommit - cpuAtFirst);
            if (sampling) {
                ProfileBreakdown.stopSamplingInto(Path.of(PROFILE));
            }
            result.put("recordsLoaded", status.recordsLoaded());
            result.put("lastError", status.lastError());
            say("RESULT " + new ObjectMapper().writeValueAsString(result));
        }
    }

    /** Answers MARK and MEMORY until STOP. */
    private static void serve(BufferedReader stdin, LoaderProcess loader) throws Exception {
        boolean rssPeakReset = false;
        String line;
        while ((line = stdin.readLine()) != null) {
            switch (line.trim()) {
                case "STOP" -> {
                    return;
                }
                case "MARK" -> rssPeakReset = mark();
                case "MEMORY" -> {
                    var status = loader.status().snapshot();
                    Map<String, Object> m = memory();
                    m.put("rssPeakSinceMark", rssPeakReset);
                    m.put("recordsConsumed", status.recordsConsumed());
                    m.put("recordsLoaded", status.recordsLoaded());
                    m.put("pausedPartitions", status.pausedPartitions());
                    m.put("sinkStalledSince", status.sinkStalledSince());
                    say("MEMORY " + new ObjectMapper().writeValueAsString(m));
                }
                default -> {
                }
            }
        }
        throw new IllegalStateException("the benchmark went away before STOP");
    }

    /** Restarts the heap pools' peaks and (Linux: clear_refs 5) VmHWM; false when the RSS peak could not be reset. */
    private static boolean mark() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static Thread run(String name, Runnable body, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                say("FAILED " + name + ": " + e.toString().replace('\n', ' '));
            }
        }, name);
        t.start();
        return t;
    }

    /** Reports the first consumed record, every move of the committed offsets and every pause, as soon as seen. */
    private static void watch(LoaderProcess loader, AtomicReference<Throwable> failure) {
        boolean first = false;
        boolean paused = false;
        Map<Integer, Long> last = Map.of();
        while (failure.get() == null) {
            var s = loader.status().snapshot();
            if (!first && s.recordsConsumed() > 0) {
                first = true;
                cpuAtFirst = loaderCpuNanos();
                if (PROFILE != null) {
                    ProfileBreakdown.startSampling();
                    sampling = true;
                }
                say("FIRST " + System.currentTimeMillis());
            }
            if (s.pausedPartitions().isEmpty() == paused) {
                paused = !paused;
                say((paused ? "PAUSED " : "RESUMED ") + System.currentTimeMillis());
            }
            if (!s.committedOffsets().equals(last)) {
                last = s.committedOffsets();
                cpuAtLastCommit = loaderCpuNanos();
                StringBuilder line = new StringBuilder("COMMIT ").append(System.currentTimeMillis()).append(' ');
                last.forEach((p, o) -> line.append(p).append('=').append(o).append(','));
                say(line.toString());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * CPU time of this whole JVM but the watching thread that calls it: a status snapshot every 2 ms is the
     * bench's work, not the loader's (0.2-0.55 µs a record in a profile of 2026-12-03).
     */
    private static long loaderCpuNanos() {
        return processCpuNanos() - ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /**
     * CPU time of this whole JVM, every thread (DuckDB's native workers and the GC included), so
     * that a figure's CPU cost per record can be set beside its rate on a machine it shares.
     */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Peak heap (sum of the heap pools' peak usage, as the JVM recorded them) and peak RSS (VmHWM). */
    static Map<String, Object> memory() {
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peakHeapBytes", peakHeap);
        m.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        m.put("peakRssBytes", vmHwmBytes());
        return m;
    }

    static long vmHwmBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux: unknown
        }
        return -1;
    }

    private static void await(BufferedReader stdin, String word) throws Exception {
        String line;
        while ((line = stdin.readLine()) != null) {
            if (line.trim().equals(word)) {
                return;
            }
        }
        throw new IllegalStateException("the benchmark went away before " + word);
    }

    private static synchronized void say(String line) {
        OUT.println(line);
    }
}
