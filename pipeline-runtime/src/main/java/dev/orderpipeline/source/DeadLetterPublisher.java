package dev.orderpipeline.source;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends records that cannot be loaded to the dead-letter topic: the original key, value and
 * headers, plus headers saying why and where the record came from. Sends are awaited before the
 * batch that skipped them commits, so a record is never skipped without having been dead-lettered.
 */
public final class DeadLetterPublisher implements AutoCloseable {
    public static final String HEADER_PREFIX = "orderpipeline.errors.";
    public static final String HEADER_TOPIC = HEADER_PREFIX + "topic";
    public static final String HEADER_PARTITION = HEADER_PREFIX + "partition";
    public static final String HEADER_OFFSET = HEADER_PREFIX + "offset";
    public static final String HEADER_EXCEPTION_CLASS = HEADER_PREFIX + "exception.class.name";
    public static final String HEADER_EXCEPTION_MESSAGE = HEADER_PREFIX + "exception.message";

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    public void send(ConsumerRecord<byte[], byte[]> record, Exception error) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h);
        }
        headers.add(HEADER_TOPIC, utf8(record.topic()));
        headers.add(HEADER_PARTITION, utf8(Integer.toString(record.partition())));
        headers.add(HEADER_OFFSET, utf8(Long.toString(record.offset())));
        headers.add(HEADER_EXCEPTION_CLASS, utf8(error.getClass().getName()));
        headers.add(HEADER_EXCEPTION_MESSAGE, utf8(String.valueOf(error.getMessage())));
        pending.add(producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers)));
    }

    /** Waits for every send since the last call; throws if the dead-letter topic did not take one. */
    public void awaitSent() throws ExecutionException, InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        producer.flush();
        for (Future<RecordMetadata> f : pending) {
            f.get();
        }
        pending.clear();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
