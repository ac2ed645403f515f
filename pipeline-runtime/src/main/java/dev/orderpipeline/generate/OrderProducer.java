package dev.orderpipeline.generate;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends generated orders to a topic at a given rate (or as fast as the broker takes them). */
public final class OrderProducer {
    private final Properties producerProperties;

    public OrderProducer(Properties producerProperties) {
        this.producerProperties = producerProperties;
    }

    /**
     * Produces {@code count} events; {@code perSecond} of 0 means unthrottled. Reports progress
     * every 1,000 events. Returns once every event is acknowledged.
     */
    public void produce(String topic, OrderGenerator generator, long count, int perSecond, LongConsumer progress) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties)) {
            for (long i = 0; i < count; i++) {
                OrderGenerator.Event event = generator.next();
                producer.send(new ProducerRecord<>(topic, event.key(), event.value()), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                if ((i + 1) % 1000 == 0) {
                    progress.accept(i + 1);
                    if (perSecond > 0) {
                        pace(started, i + 1, perSecond);
                    }
                }
                if (failure.get() != null) {
                    break;
                }
            }
            producer.flush();
            progress.accept(count);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing to " + topic + " failed: " + failure.get(), failure.get());
        }
    }

    private static void pace(long startedNanos, long sent, int perSecond) {
        long dueNanos = startedNanos + sent * 1_000_000_000L / perSecond;
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(Duration.ofNanos(wait).toMillis(), (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
