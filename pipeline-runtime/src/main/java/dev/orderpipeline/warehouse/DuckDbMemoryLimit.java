package dev.orderpipeline.warehouse;

import com.sun.management.OperatingSystemMXBean;
import dev.orderpipeline.config.Setting;
import java.lang.management.ManagementFactory;

/**
 * How much memory DuckDB's buffer manager may hold in this JVM's process.
 *
 * <p>DuckDB's own default is 80 % of the container's memory limit (or of the machine's memory), as if it were alone
 * there. In a loader pod it shares that memory with the JVM, whose heap may grow to its maximum, so the two together
 * could pass the pod's limit and have the OOM killer restart the loader. The default here is what the JVM leaves:
 * the memory the JVM sees (its container's limit, like the heap's percentages), less its maximum heap, less
 * {@link #JVM_BEYOND_HEAP} for the rest of the JVM.
 */
public record DuckDbMemoryLimit(long memoryBytes, long maxHeapBytes) {
    static final long MIB = 1L << 20;
    /**
     * Metaspace, code cache, thread stacks, the collector's own structures and the Kafka client's buffers: in
     * {@code bench} the loader into PostgreSQL (no DuckDB in it) held 171 MiB resident beside its heap.
     */
    public static final long JVM_BEYOND_HEAP = 192 * MIB;
    /** The least DuckDB gets, whatever the heap leaves: a loader still ran with it, at 14 % fewer records a second than with 256 MB (BENCH.md). */
    public static final long LEAST = 128 * MIB;

    /** For this JVM: the memory its container (or machine) has and its maximum heap. */
    public static DuckDbMemoryLimit forThisJvm() {
        long memory = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return leftBesideHeap(memory, Runtime.getRuntime().maxMemory());
    }

    /** What a process of {@code memoryBytes} with a heap of at most {@code maxHeapBytes} leaves DuckDB. */
    public static DuckDbMemoryLimit leftBesideHeap(long memoryBytes, long maxHeapBytes) {
        return new DuckDbMemoryLimit(memoryBytes, maxHeapBytes);
    }

    /** What DuckDB gets: what the heap and the rest of the JVM leave, and never less than {@link #LEAST}. */
    public long bytes() {
        return Math.max(LEAST, leftOver());
    }

    /** As DuckDB's {@code memory_limit} reads it. */
    public String setting() {
        return (bytes() / MIB) + "MiB";
    }

    /** True when the heap leaves less than {@link #LEAST}: DuckDB then gets that much, and may take the pod past its limit. */
    public boolean overcommits() {
        return leftOver() < LEAST;
    }

    private long leftOver() {
        return memoryBytes - maxHeapBytes - JVM_BEYOND_HEAP;
    }

    /** Where the figure comes from, for the log; with the fix when it {@link #overcommits()}. */
    public String explanation() {
        String parts = "the " + (memoryBytes / MIB) + " MiB this process has, less the JVM's heap of up to " + (maxHeapBytes / MIB)
                + " MiB and " + (JVM_BEYOND_HEAP / MIB) + " MiB for the rest of the JVM";
        if (!overcommits()) {
            return "DuckDB may hold " + (bytes() / MIB) + " MiB: " + parts + " (" + Setting.DUCKDB_MEMORY_LIMIT.envName() + " sets it)";
        }
        return "DuckDB may hold " + (bytes() / MIB) + " MiB, its least, though " + parts + " leave it less: the two together may pass "
                + "the memory limit. Give the container more memory, or the JVM a smaller heap (-XX:MaxRAMPercentage or -Xmx in "
                + "JDK_JAVA_OPTIONS), or set " + Setting.DUCKDB_MEMORY_LIMIT.envName();
    }
}
