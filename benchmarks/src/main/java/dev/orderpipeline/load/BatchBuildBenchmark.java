package dev.orderpipeline.load;

import dev.orderpipeline.benchmarks.OrderRecords;
import dev.orderpipeline.warehouse.Row;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Batch build: what the loader's poll thread does with already converted rows for one batch of
 * 50,000 records (6 partitions, the generate command's mix of new orders, updates and tombstones).
 * {@code add} fills a new {@link PendingBatch} as {@code Loader.accept} does; {@code addThenDedupe}
 * then keeps the last row per key with {@link KeyDeduplicator#lastWins}, the bulk of the work of
 * turning the pending batch into an upsert {@code Batch}. Score: records per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BatchBuildBenchmark {
    static final int BATCH = 50_000;

    private Row[] rows;
    private long[] timestamps;
    private int[] keyIndexes;

    @Setup
    public void setUp() {
        List<ConsumerRecord<byte[], byte[]>> records = OrderRecords.generate(42, BATCH,
                OrderRecords.UPDATE_FRACTION, OrderRecords.DELETE_FRACTION);
        OrderRecords.Converted converted = OrderRecords.convert(records);
        rows = converted.rows().toArray(new Row[0]);
        timestamps = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            timestamps[i] = records.get(i).timestamp();
        }
        keyIndexes = converted.keyIndexes();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public PendingBatch add() {
        return fill();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Row> addThenDedupe() {
        return KeyDeduplicator.lastWins(fill().rows(), keyIndexes);
    }

    private PendingBatch fill() {
        PendingBatch pending = new PendingBatch();
        long now = System.nanoTime();
        for (int i = 0; i < rows.length; i++) {
            pending.add(rows[i], now, timestamps[i]); // counts each row's estimated heap, as Loader.accept does
        }
        return pending;
    }
}
