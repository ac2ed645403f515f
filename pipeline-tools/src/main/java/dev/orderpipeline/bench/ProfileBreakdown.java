package dev.orderpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import one.profiler.AsyncProfiler;

/**
 * Where a loader JVM's CPU went, from async-profiler's CPU samples of every thread ({@code bench --profile}):
 * Java threads, the JVM's own (GC, JIT) and native code called through JNI (DuckDB's C++) alike, each sample
 * one sampling interval of CPU time. A stack is given to the first frame, from the leaf down, that belongs to a
 * part of the loader, so a JDK or library call counts for the part that made it; below that frame, time spent
 * outside Java code (JNI, the JVM's runtime, the kernel) is told apart from time in Java code. The bench child's
 * own watching thread ({@link #BENCH_WATCH}) is left out, as it is from the bench's CPU per record.
 *
 * <p>Input is async-profiler's collapsed format with thread names ({@code [name tid=N];frame;…;leaf count}).
 * {@code java -cp pipeline-tools.jar dev.orderpipeline.bench.ProfileBreakdown child.collapsed records}
 */
public final class ProfileBreakdown {
    /** One sample per millisecond of a thread's CPU time. */
    static final long INTERVAL_NANOS = 1_000_000;
    static final String PROFILER_START = "start,event=cpu,interval=" + INTERVAL_NANOS + ",threads";
    /** Where {@link #PROFILER_START} cannot open perf events: the process's CPU timer, same interval. */
    static final String PROFILER_START_ITIMER = "start,event=itimer,interval=" + INTERVAL_NANOS + ",threads";

    /** A part of the loader, and the class-name prefixes (or method names) whose frames are its. */
    enum Part {
        RECORD_METADATA("RECORD_METADATA text (staging)"),
        HEAP_ESTIMATE("batch build: heap estimate"),
        BATCH("batch build: pending batch, dedupe"),
        DECODE("decode: JSON → row"),
        SINK("sink: JDBC, Appender, COPY"),
        KAFKA("Kafka client: poll, fetch, records"),
        LOOP("loader loop, status, other project code"),
        OTHER("other Java code (JDK, logging, start-up)");

        final String label;

        Part(String label) {
            this.label = label;
        }
    }

    /** The bench child's thread that watches the loader's status: the bench's work, not the loader's. */
    static final String BENCH_WATCH = "bench-watch";

    /** {@code dev/orderpipeline/load/Loader.run}, lambdas and inner classes included; not {@code /usr/lib/…}, not C++. */
    private static final Pattern JAVA_FRAME = Pattern.compile("[A-Za-z_$][\\w$]*(/[\\w$]+)+(\\.[\\w$<>]+)+");

    private ProfileBreakdown() {
    }

    /** CPU samples of every thread of this JVM from now on: perf events where the kernel allows them, else its CPU timer. */
    static void startSampling() {
        AsyncProfiler profiler = AsyncProfiler.getInstance();
        try {
            profiler.execute(PROFILER_START);
        } catch (IllegalStateException | IOException perfEventsRefused) {
            try {
                profiler.execute(PROFILER_START_ITIMER);
            } catch (IllegalStateException | IOException e) {
                throw new IllegalStateException("async-profiler could not start: " + e.getMessage(), e);
            }
        }
    }

    /** Stops the samples and writes them, collapsed, with thread names. */
    static void stopSamplingInto(Path collapsed) throws IOException {
        AsyncProfiler profiler = AsyncProfiler.getInstance();
        profiler.execute("stop");
        Files.writeString(collapsed, profiler.execute("collapsed,threads"));
    }

    public static void main(String[] args) throws IOException {
        System.out.print(read(Path.of(args[0])).perRecord(Long.parseLong(args[1])));
    }

    /** Samples per line of the breakdown (parts split into Java and outside-Java time) and per thread. */
    record Result(Map<String, Long> lines, Map<String, Long> threads, long samples) {

        String perRecord(long records) {
            StringBuilder out = new StringBuilder(String.format(
                    "CPU per record, first record → end, %d records: %.2f µs (%d samples of %d ms of CPU, every thread of the loader)%n",
                    records, micros(samples, records), samples, INTERVAL_NANOS / 1_000_000));
            appendLargestFirst(out, "by part", lines, records);
            appendLargestFirst(out, "by thread", threads, records);
            return out.toString();
        }

        private void appendLargestFirst(StringBuilder out, String title, Map<String, Long> counts, long records) {
            out.append(title).append(":\n");
            counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> out.append(String.format("  %-78s %6.2f µs  %5.1f %%%n", e.getKey(),
                            micros(e.getValue(), records), 100.0 * e.getValue() / Math.max(1, samples))));
        }

        private static double micros(long samples, long records) {
            return samples * (INTERVAL_NANOS / 1e3) / Math.max(1, records);
        }
    }

    static Result read(Path collapsed) throws IOException {
        return parse(Files.readString(collapsed));
    }

    static Result parse(String collapsed) {
        Map<String, Long> lines = new LinkedHashMap<>();
        Map<String, Long> threads = new TreeMap<>();
        long samples = 0;
        for (String line : collapsed.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (line.isBlank() || space < 0) {
                continue;
            }
            long count = Long.parseLong(line.substring(space + 1).trim());
            String[] frames = line.substring(0, space).split(";");
            String thread = threadName(frames[0]);
            if (thread.equals(BENCH_WATCH)) {
                continue;
            }
            samples += count;
            threads.merge(thread.replaceAll("[0-9]+", "N"), count, Long::sum);
            lines.merge(line(thread, frames), count, Long::sum);
        }
        return new Result(lines, threads, samples);
    }

    /** The breakdown line a stack counts for. */
    static String line(String thread, String[] frames) {
        boolean outsideJava = false;
        boolean anyJava = false;
        for (int i = frames.length - 1; i >= 1; i--) {
            String frame = frames[i];
            if (!isJava(frame)) {
                if (!anyJava && !frame.equals("Interpreter")) {
                    outsideJava = true;
                }
                continue;
            }
            anyJava = true;
            int dot = frame.lastIndexOf('.');
            Part part = part(frame.substring(0, dot).replace('/', '.'), frame.substring(dot + 1));
            if (part != null) {
                return part.label + (outsideJava ? ": outside Java code (JNI, JVM runtime, kernel)" : ": Java code");
            }
        }
        if (anyJava) {
            return Part.OTHER.label;
        }
        return group(thread);
    }

    static boolean isJava(String frame) {
        return JAVA_FRAME.matcher(frame).matches();
    }

    /** {@code [loader-warehouse tid=123]} → {@code loader-warehouse} (a kernel name: at most 15 characters). */
    static String threadName(String first) {
        if (!first.startsWith("[")) {
            return "?";
        }
        int tid = first.lastIndexOf(" tid=");
        return first.substring(1, tid > 0 ? tid : first.length() - 1);
    }

    static Part part(String type, String method) {
        if (type.equals("dev.orderpipeline.source.KafkaRecordMetadata") || type.endsWith(".RecordMetadata")) {
            return Part.RECORD_METADATA;
        }
        if (type.equals("dev.orderpipeline.warehouse.HeapSize")) {
            return Part.HEAP_ESTIMATE;
        }
        if (type.startsWith("dev.orderpipeline.load.PendingBatch") || type.startsWith("dev.orderpipeline.load.KeyDeduplicator")) {
            return Part.BATCH;
        }
        if (type.startsWith("dev.orderpipeline.source.RecordConverter") || type.startsWith("dev.orderpipeline.schema.")
                || type.startsWith("dev.orderpipeline.format.") || type.startsWith("com.fasterxml.jackson.core.")) {
            return Part.DECODE;
        }
        if (type.startsWith("org.duckdb.") || type.startsWith("org.postgresql.")
                || type.startsWith("dev.orderpipeline.warehouse.")) {
            return Part.SINK;
        }
        if (type.startsWith("org.apache.kafka.") || type.startsWith("dev.orderpipeline.source.")) {
            return Part.KAFKA;
        }
        if (type.startsWith("dev.orderpipeline.")) {
            return Part.LOOP;
        }
        return null;
    }

    /** A stack without any Java frame: the JVM's own threads by their names, anything else native code's. */
    static String group(String thread) {
        if (thread.startsWith("GC Thread") || thread.startsWith("G1 ") || thread.equals("VM Thread")) {
            // The serial collector collects on the VM thread.
            return "JVM: garbage collection (GC threads, VM thread)";
        }
        if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
            return "JVM: JIT compilers";
        }
        if (thread.equals("VM Periodic Tas") || thread.equals("Service Thread") || thread.startsWith("Sweeper")
                || thread.startsWith("Monitor Deflat")) {
            return "JVM: other";
        }
        return "native code, no Java frame: " + thread.replaceAll("[0-9]+", "N");
    }
}
