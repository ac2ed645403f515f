package dev.orderpipeline.bench;

import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.source.RecordConversionException;
import dev.orderpipeline.source.RecordConverter;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.warehouse.TableShape;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The rows the loader would build from the benchmark's topic (same generator, same seed, converted
 * by the loader's own {@link RecordConverter}), in chunks of one batch, so that the bulk-insert
 * ceilings write exactly what the loader writes, from memory, with conversion outside the clock.
 */
final class BenchRows {
    private final OrderGenerator generator;
    private final TableShape shape = new TableShape(List.of());
    private final RecordConverter converter;
    private final String topic;
    private final int partitions;
    private long offset;

    BenchRows(OrderGenerator generator, String topic, int partitions, List<String> keyFields) {
        this.generator = generator;
        this.converter = new RecordConverter(shape, keyFields);
        this.topic = topic;
        this.partitions = partitions;
    }

    /** The next {@code count} rows. */
    List<Row> next(int count) {
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            OrderGenerator.Event e = generator.next();
            long n = offset++;
            try {
                rows.add(converter.convert(new ConsumerRecord<>(topic, (int) (n % partitions), n / partitions, e.key(), e.value())));
            } catch (RecordConversionException ex) {
                throw new IllegalStateException("a generated order does not convert: " + ex.getMessage(), ex);
            }
        }
        return rows;
    }

    /** The upsert key's columns, as the loader names them. */
    List<SqlIdentifier> keyColumns() {
        return converter.keyColumns();
    }

    /** Where the upsert key's columns stand in the rows. */
    int[] keyIndexes() {
        List<SqlIdentifier> names = columns().stream().map(Column::name).toList();
        return keyColumns().stream().mapToInt(names::indexOf).toArray();
    }

    /** The columns the rows so far have (the first chunk fixes them: every order has the same fields). */
    List<Column> columns() {
        return shape.snapshot();
    }
}
