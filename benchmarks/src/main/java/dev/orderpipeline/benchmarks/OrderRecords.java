package dev.orderpipeline.benchmarks;

import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.source.RecordConversionException;
import dev.orderpipeline.source.RecordConverter;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.warehouse.TableShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Benchmark input: the records a loader polls from an orders topic, made by the project's own
 * seeded {@link OrderGenerator} (Datagen-shaped orders, updates and tombstones), spread over
 * partitions by key as a producer would, with per-partition offsets.
 */
public final class OrderRecords {
    public static final String TOPIC = "orders";
    public static final int PARTITIONS = 6;
    /** The generate command's defaults: 10% updates to earlier orders, 2% deletions. */
    public static final double UPDATE_FRACTION = 0.10;
    public static final double DELETE_FRACTION = 0.02;

    private OrderRecords() {
    }

    public static List<ConsumerRecord<byte[], byte[]>> generate(long seed, int count, double updateFraction,
            double deleteFraction) {
        OrderGenerator generator = new OrderGenerator(seed, updateFraction, deleteFraction);
        long[] nextOffset = new long[PARTITIONS];
        long timestamp = 1_760_000_000_000L;
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            OrderGenerator.Event event = generator.next();
            int partition = Math.floorMod(Arrays.hashCode(event.key()), PARTITIONS);
            records.add(new ConsumerRecord<>(TOPIC, partition, nextOffset[partition]++, timestamp + i,
                    TimestampType.CREATE_TIME, event.key().length, event.value() == null ? -1 : event.value().length,
                    event.key(), event.value(), new RecordHeaders(), Optional.empty()));
        }
        return records;
    }

    /** A converter as the loader makes one for an upsert pipeline keyed by order id, on a new table. */
    public static RecordConverter converter(TableShape shape) {
        return new RecordConverter(shape, List.of("orderid"));
    }

    /** Rows converted from records by one converter, and the key columns' indexes in its table shape. */
    public record Converted(List<Row> rows, int[] keyIndexes) {
    }

    /** The records converted in order, as one loader converts them; the key indexes found as the loader finds them. */
    public static Converted convert(List<ConsumerRecord<byte[], byte[]>> records) {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = converter(shape);
        List<Row> rows = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                rows.add(converter.convert(record));
            } catch (RecordConversionException e) {
                throw new IllegalStateException("a generated order did not convert: " + e.getMessage(), e);
            }
        }
        List<SqlIdentifier> keyColumns = converter.keyColumns();
        int[] keyIndexes = new int[keyColumns.size()];
        for (int i = 0; i < keyIndexes.length; i++) {
            keyIndexes[i] = shape.indexOf(keyColumns.get(i)).orElseThrow();
        }
        return new Converted(rows, keyIndexes);
    }

    /** Key and value bytes, as the loader counts a record's size toward the batch's byte limit. */
    public static int sizeBytes(ConsumerRecord<byte[], byte[]> record) {
        return (record.value() == null ? 0 : record.value().length) + (record.key() == null ? 0 : record.key().length);
    }
}
