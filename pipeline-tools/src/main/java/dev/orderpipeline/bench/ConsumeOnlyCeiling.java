package dev.orderpipeline.bench;

import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.source.KafkaClientProperties;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Ceiling A: how fast the loader's own consumer settings can read the topic when nothing else happens. */
final class ConsumeOnlyCeiling {
    private ConsumeOnlyCeiling() {
    }

    /**
     * Reads {@code total} records and returns the rate, measured from the first record (the group
     * join before it is not reading). {@code first} receives the epoch millisecond of that record.
     */
    static Rate measure(KafkaSourceConfig source, int maxPollRecords, long total, LongConsumer first) {
        Properties props = KafkaClientProperties.consumer(source, maxPollRecords);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, source.groupId() + "-ceiling");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, source.startPosition().name().toLowerCase()); // no loader seeks here
        long bytes = 0;
        long count = 0;
        long started = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(source.topic()));
            while (count < total) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty() && started == 0) {
                    started = System.nanoTime();
                    first.accept(System.currentTimeMillis());
                }
                for (var r : records) {
                    count++;
                    bytes += (r.value() == null ? 0 : r.value().length) + (r.key() == null ? 0 : r.key().length);
                }
            }
        }
        return new Rate(count, bytes, Duration.ofNanos(System.nanoTime() - started));
    }
}
