package dev.orderpipeline.bench;

import dev.orderpipeline.load.KeyDeduplicator;
import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.OffsetAdvance;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.Warehouse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * The loader's own warehouse write without the loader: the same rows, already in memory, written
 * batch by batch through the {@link Warehouse} the loader uses (staging, MERGE, the offsets'
 * compare-and-set, one transaction each). Against the bulk-path ceiling it prices the upsert;
 * against it the loader's rate shows what Kafka, JSON and the loop add. Only the writes are timed.
 */
final class SinkAloneRate {
    private SinkAloneRate() {
    }

    static Rate measure(Warehouse warehouse, String pipeline, String topic, int partitions, BenchRows source, long rows,
                        int batch, LongConsumer progress) throws Exception {
        warehouse.open();
        Map<Integer, Long> expected = new HashMap<>(warehouse.storedOffsets(pipeline, topic,
                IntStream.range(0, partitions).boxed().toList()));
        long nanos = 0;
        long done = 0;
        while (done < rows) {
            List<Row> chunk = source.next((int) Math.min(batch, rows - done));
            Map<Integer, OffsetAdvance> advances = new HashMap<>();
            for (Row row : chunk) {
                advances.put(row.partition(), new OffsetAdvance(expected.get(row.partition()), row.offset() + 1));
            }
            // One row per key, the latest, as the loader builds its batch (orders updated within the batch).
            Batch write = new Batch(pipeline, topic, source.columns(), source.keyColumns(),
                    KeyDeduplicator.lastWins(chunk, source.keyIndexes()), advances, System.currentTimeMillis());
            long started = System.nanoTime();
            warehouse.write(write);
            warehouse.tidy(); // as the loader's warehouse thread does after each commit
            nanos += System.nanoTime() - started;
            advances.forEach((partition, advance) -> expected.put(partition, advance.next()));
            done += chunk.size();
            progress.accept(done);
        }
        return new Rate(done, 0, Duration.ofNanos(nanos));
    }
}
