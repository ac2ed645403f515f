package dev.orderpipeline.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a loader JVM's Java CPU went, from a JFR recording ({@code bench --jfr}, settings=profile): every
 * {@code jdk.ExecutionSample} (a Java thread running Java code, sampled every 10 ms) is given to the first
 * frame, from the leaf down, that belongs to one of the loader's parts, so a JDK or library call counts for
 * the part that made it. Samples are counted in the window {@code [from, to]} (epoch millis; the bench child's
 * first record and last commit) when given. Native threads (DuckDB's workers, the GC, the JIT) are never in
 * these samples: their CPU is read per thread from /proc ({@link ThreadCpu}).
 *
 * <p>{@code java -cp pipeline-tools.jar dev.orderpipeline.bench.JfrBreakdown loader-duckdb.jfr [fromMillis toMillis]}
 */
public final class JfrBreakdown {
    /** A part of the loader, and the class-name prefixes (or method names) whose frames are its. */
    enum Part {
        RECORD_METADATA("RECORD_METADATA text (staging)"),
        HEAP_ESTIMATE("batch build: heap estimate"),
        BATCH("batch build: pending batch, dedupe"),
        DECODE("decode: JSON → row"),
        SINK("sink: JDBC, Appender, COPY"),
        KAFKA("Kafka client: poll, fetch, records"),
        LOOP("loader loop, status, other project code"),
        OTHER("other (JDK, logging, JFR)");

        final String label;

        Part(String label) {
            this.label = label;
        }
    }

    /** jdk.ExecutionSample's period in JDK 17's settings=profile. */
    static final long SAMPLE_PERIOD_NANOS = 10_000_000;

    private JfrBreakdown() {
    }

    public static void main(String[] args) throws IOException {
        long from = args.length > 2 ? Long.parseLong(args[1]) : Long.MIN_VALUE;
        long to = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
        Result r = read(Path.of(args[0]), from, to);
        System.out.print(r.table());
    }

    /** Samples per part, GC pauses, and samples per thread. */
    record Result(Map<Part, Long> parts, Map<String, Long> threads, long samples, long gcPauseNanos, long gcCount,
                  Set<Long> javaThreadIds, Map<Long, Map<Part, Long>> partsByThread) {
        /**
         * CPU µs per record: the Java threads' CPU (from /proc) split over the parts by their share of the samples,
         * beside the JVM's own threads and the native ones, each from its /proc time.
         */
        String perRecord(Map<String, Object> threadCpuNanos, long records) {
            Map<Part, Double> javaParts = new LinkedHashMap<>();
            for (Part p : Part.values()) {
                javaParts.put(p, 0.0);
            }
            long javaNanos = 0;
            double outsideJava = 0;
            Map<String, Long> others = new TreeMap<>();
            for (Map.Entry<String, Object> e : threadCpuNanos.entrySet()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) e.getValue();
                long nanos = ((Number) t.get("nanos")).longValue();
                long tid = Long.parseLong(e.getKey());
                if (!javaThreadIds.contains(tid)) {
                    others.merge(ThreadCpu.group((String) t.get("name")), nanos, Long::sum);
                    continue;
                }
                javaNanos += nanos;
                // A sample stands for one sampling period of Java code; the thread's CPU beyond its samples ran
                // outside Java code (JNI: DuckDB's Appender and MERGE on the warehouse thread) or went unsampled.
                Map<Part, Long> own = partsByThread.getOrDefault(tid, Map.of());
                long sampled = own.values().stream().mapToLong(Long::longValue).sum();
                double inJava = Math.min(nanos, sampled * SAMPLE_PERIOD_NANOS);
                for (Map.Entry<Part, Long> p : own.entrySet()) {
                    javaParts.merge(p.getKey(), inJava * p.getValue() / Math.max(1, sampled), Double::sum);
                }
                outsideJava += nanos - inJava;
            }
            long total = javaNanos + others.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder out = new StringBuilder(String.format(
                    "CPU per record, first record → last commit, %d records: %.2f µs (per thread, /proc)%n", records,
                    total / 1e3 / records));
            out.append(String.format("  %-60s %6.2f µs%n", "Java threads", javaNanos / 1e3 / records));
            for (Map.Entry<Part, Double> p : javaParts.entrySet()) {
                out.append(String.format("    %-58s %6.2f µs%n", p.getKey().label, p.getValue() / 1e3 / records));
            }
            out.append(String.format("    %-58s %6.2f µs%n", "outside Java code (JNI: DuckDB, PostgreSQL I/O) or unsampled",
                    outsideJava / 1e3 / records));
            others.forEach((g, n) -> out.append(String.format("  %-60s %6.2f µs%n", g, n / 1e3 / records)));
            out.append(String.format("  %-60s %6.2f µs (wall time, %d collections)%n", "GC pauses",
                    gcPauseNanos / 1e3 / records, gcCount));
            return out.toString();
        }

        String table() {
            StringBuilder out = new StringBuilder();
            out.append(String.format("Java execution samples: %d; GC pauses: %d, %.0f ms in all%n", samples, gcCount,
                    gcPauseNanos / 1e6));
            parts.forEach((p, n) -> out.append(String.format("  %-42s %6d  %5.1f %%%n", p.label, n,
                    100.0 * n / Math.max(1, samples))));
            out.append("by thread:\n");
            threads.forEach((t, n) -> out.append(String.format("  %-42s %6d  %5.1f %%%n", t, n,
                    100.0 * n / Math.max(1, samples))));
            return out.toString();
        }
    }

    static Result read(Path jfr, long fromMillis, long toMillis) throws IOException {
        Map<Part, Long> parts = new LinkedHashMap<>();
        for (Part p : Part.values()) {
            parts.put(p, 0L);
        }
        Map<String, Long> threads = new TreeMap<>();
        long samples = 0;
        long gcPause = 0;
        long gcCount = 0;
        Set<Long> javaThreadIds = new HashSet<>();
        Map<Long, Map<Part, Long>> partsByThread = new HashMap<>();
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                for (String field : List.of("eventThread", "sampledThread", "thread")) {
                    if (e.hasField(field) && e.getValue(field) instanceof RecordedThread t && t.getJavaName() != null) {
                        javaThreadIds.add(t.getOSThreadId());
                    }
                }
                Instant at = e.getStartTime();
                if (at.toEpochMilli() < fromMillis || at.toEpochMilli() > toMillis) {
                    continue;
                }
                switch (e.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        samples++;
                        Part part = classify(e.getStackTrace());
                        parts.merge(part, 1L, Long::sum);
                        if (e.getThread("sampledThread") != null) {
                            partsByThread.computeIfAbsent(e.getThread("sampledThread").getOSThreadId(),
                                    t -> new LinkedHashMap<>()).merge(part, 1L, Long::sum);
                        }
                        String thread = e.getThread("sampledThread") == null ? "?"
                                : e.getThread("sampledThread").getJavaName();
                        threads.merge(thread == null ? "?" : thread.replaceAll("[0-9]+", "N"), 1L, Long::sum);
                    }
                    case "jdk.GarbageCollection" -> {
                        gcCount++;
                        gcPause += e.getDuration("sumOfPauses").toNanos();
                    }
                    default -> {
                    }
                }
            }
        }
        return new Result(parts, threads, samples, gcPause, gcCount, javaThreadIds, partsByThread);
    }

    static Part classify(RecordedStackTrace stack) {
        if (stack == null) {
            return Part.OTHER;
        }
        List<RecordedFrame> frames = stack.getFrames();
        for (RecordedFrame f : frames) {
            if (f.getMethod() == null || f.getMethod().getType() == null) {
                continue;
            }
            Part p = part(f.getMethod().getType().getName(), f.getMethod().getName());
            if (p != null) {
                return p;
            }
        }
        return Part.OTHER;
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
}
