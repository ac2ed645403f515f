package dev.orderpipeline.benchmarks;

import dev.orderpipeline.source.RecordConversionException;
import dev.orderpipeline.source.RecordConverter;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.TableShape;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JSON to row: {@link RecordConverter#convert} on one polled record at a time, cycling through
 * 10,000 generated order events (about 88% new orders, 10% updates, 2% tombstones). The converter
 * lives for the whole trial, as it does in a loader, so its table shape is settled after the first
 * record. Score: records per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class RecordConverterBenchmark {
    private static final int RECORDS = 10_000;

    private ConsumerRecord<byte[], byte[]>[] records;
    private RecordConverter converter;
    private int next;

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        List<ConsumerRecord<byte[], byte[]>> generated = OrderRecords.generate(42, RECORDS,
                OrderRecords.UPDATE_FRACTION, OrderRecords.DELETE_FRACTION);
        records = generated.toArray(new ConsumerRecord[0]);
        converter = OrderRecords.converter(new TableShape(List.of()));
    }

    @Benchmark
    public Row convert() throws RecordConversionException {
        ConsumerRecord<byte[], byte[]> record = records[next];
        if (++next == records.length) {
            next = 0;
        }
        return converter.convert(record);
    }
}
