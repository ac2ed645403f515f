package dev.orderpipeline.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of every thread of this JVM, from /proc/self/task (Linux): Java threads, and the ones JFR's
 * execution samples never see (the GC's, the JIT compilers', DuckDB's native workers). A thread's name is its
 * kernel name (15 characters; a native thread inherits its creator's unless it names itself). Used by
 * {@code bench --jfr}: the difference of two snapshots per thread, grouped by {@link #group} in
 * {@link JfrBreakdown}.
 */
final class ThreadCpu {
    /** Kernel clock ticks per second of {@code utime}/{@code stime} (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    private ThreadCpu() {
    }

    /** Thread id → (name, CPU nanoseconds); empty where /proc is not there. */
    static Map<Long, Map.Entry<String, Long>> snapshot() {
        Map<Long, Map.Entry<String, Long>> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close);
                    String[] fields = stat.substring(close + 2).split(" ");
                    // after the name: state(0) ... utime(11) stime(12)
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            Map.entry(name, ticks * 1_000_000_000L / TICKS_PER_SECOND));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return threads;
    }

    /** The role of a thread that is not a Java thread: the JVM's own by their names, anything else native code's. */
    static String group(String name) {
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return "JVM: GC";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "JVM: JIT";
        }
        if (name.startsWith("JFR ")) {
            return "JVM: JFR";
        }
        if (name.equals("VM Thread") || name.equals("VM Periodic Tas") || name.equals("Service Thread")
                || name.startsWith("Sweeper") || name.startsWith("Monitor Deflat")) {
            return "JVM: other";
        }
        return "native (not a Java thread): " + name.replaceAll("[0-9]+", "N");
    }
}
