package dev.orderpipeline.load;

import dev.orderpipeline.benchmarks.OrderRecords;
import dev.orderpipeline.warehouse.Row;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dedupe by key: {@link KeyDeduplicator#lastWins} on a batch of 50,000 converted orders in which
 * {@code repeatedKeysPercent} of the rows are updates to an order earlier in the batch (the
 * generator's update fraction; no tombstones). Score: input rows per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class DedupeBenchmark {
    @Param({"0", "20"})
    public int repeatedKeysPercent;

    private List<Row> rows;
    private int[] keyIndexes;

    @Setup
    public void setUp() {
        OrderRecords.Converted converted = OrderRecords.convert(
                OrderRecords.generate(42, BatchBuildBenchmark.BATCH, repeatedKeysPercent / 100.0, 0.0));
        rows = converted.rows();
        keyIndexes = converted.keyIndexes();
        int distinct = KeyDeduplicator.lastWins(rows, keyIndexes).size();
        double repeated = 100.0 * (rows.size() - distinct) / rows.size();
        if (Math.abs(repeated - repeatedKeysPercent) > 1.0) {
            throw new IllegalStateException("the batch has " + repeated + "% repeated keys, not " + repeatedKeysPercent);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BatchBuildBenchmark.BATCH)
    public List<Row> lastWins() {
        return KeyDeduplicator.lastWins(rows, keyIndexes);
    }
}
