package dev.orderpipeline.source;

import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.WarehouseErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be loaded to the dead-letter topic: the original key, value and
 * headers, plus headers saying why and where the record came from. {@link #send} only queues
 * (the poll thread never waits on Kafka for a dead letter); {@link #awaitSent}, called before the
 * batch that skipped the records commits, sends what is owed and waits for it, so a record is never
 * skipped without having been dead-lettered. A send that fails stays owed and is sent again (a few
 * times with backoff within one call, and again at the next call): nothing is lost while the topic
 * is unavailable, and the loader goes on by itself when it is back.
 */
public final class DeadLetterPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);
    public static final String HEADER_PREFIX = "orderpipeline.errors.";
    public static final String HEADER_TOPIC = HEADER_PREFIX + "topic";
    public static final String HEADER_PARTITION = HEADER_PREFIX + "partition";
    public static final String HEADER_OFFSET = HEADER_PREFIX + "offset";
    public static final String HEADER_EXCEPTION_CLASS = HEADER_PREFIX + "exception.class.name";
    public static final String HEADER_EXCEPTION_MESSAGE = HEADER_PREFIX + "exception.message";
    /** Set when the warehouse refused the row: the database's SQLState (absent where the driver gives none). */
    public static final String HEADER_SQLSTATE = HEADER_PREFIX + "sqlstate";
    /** {@code conversion} (the loader could not make a row of the record) or {@code warehouse} (the database refused the row). */
    public static final String HEADER_STAGE = HEADER_PREFIX + "stage";

    /** Sends not acknowledged for this long mark the topic unavailable (status, metric) while waiting goes on. */
    private static final Duration UNAVAILABLE_AFTER = Duration.ofSeconds(5);
    /** Send attempts of one owed record within one {@link #awaitSent} call. */
    private static final int ATTEMPTS = 3;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

    /** Told when the topic stops or starts taking records: the loader's status and metrics. */
    public interface Watcher {
        Watcher NONE = new Watcher() {
        };

        default void unavailable(Instant since, String why) {
        }

        default void available() {
        }

        default void sendsFailed(int records) {
        }
    }

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Watcher watcher;
    /** Queued or failed, not yet acknowledged. Guarded by itself: the poll thread queues while a commit awaits. */
    private final List<Letter> owed = new ArrayList<>();
    /** One awaiting caller at a time. */
    private final Object awaiting = new Object();
    private Instant unavailableSince;

    private static final class Letter {
        final ProducerRecord<byte[], byte[]> record;
        Future<RecordMetadata> sent;

        Letter(ProducerRecord<byte[], byte[]> record) {
            this.record = record;
        }
    }

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic) {
        this(producer, topic, Watcher.NONE);
    }

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, Watcher watcher) {
        this.producer = producer;
        this.topic = topic;
        this.watcher = watcher;
    }

    public String topic() {
        return topic;
    }

    /** A record the loader could not convert. */
    public void send(ConsumerRecord<byte[], byte[]> record, Exception error) {
        RecordHeaders headers = headers(record.headers().toArray(), record.topic(), record.partition(), record.offset(), error,
                "conversion");
        queue(new ProducerRecord<>(topic, null, record.key(), record.value(), headers));
    }

    /** A row the warehouse refused: its original record, with the database's message. */
    public void send(String sourceTopic, Row row, Throwable error) {
        if (!(row.metadata() instanceof KafkaRecordMetadata source)) {
            throw new IllegalArgumentException("row " + row.partition() + "@" + row.offset() + " has no source record");
        }
        RecordHeaders headers = headers(source.headers(), sourceTopic, row.partition(), row.offset(), error, "warehouse");
        String sqlState = WarehouseErrors.sqlState(error);
        if (sqlState != null) {
            headers.add(HEADER_SQLSTATE, utf8(sqlState));
        }
        queue(new ProducerRecord<>(topic, null, source.key(), source.value(), headers));
    }

    private static RecordHeaders headers(Header[] original, String sourceTopic, int partition, long offset,
                                         Throwable error, String stage) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : original) {
            headers.add(h);
        }
        headers.add(HEADER_TOPIC, utf8(sourceTopic));
        headers.add(HEADER_PARTITION, utf8(Integer.toString(partition)));
        headers.add(HEADER_OFFSET, utf8(Long.toString(offset)));
        headers.add(HEADER_EXCEPTION_CLASS, utf8(error.getClass().getName()));
        headers.add(HEADER_EXCEPTION_MESSAGE, utf8(String.valueOf(error.getMessage())));
        headers.add(HEADER_STAGE, utf8(stage));
        return headers;
    }

    private void queue(ProducerRecord<byte[], byte[]> record) {
        synchronized (owed) {
            owed.add(new Letter(record));
        }
    }

    /** Records queued or failed and not yet acknowledged. */
    public int owed() {
        synchronized (owed) {
            return owed.size();
        }
    }

    /**
     * Sends every owed record and waits until the topic took them all; a failed send is sent again,
     * {@value #ATTEMPTS} times with backoff, bounded by the producer's delivery timeout each.
     *
     * @throws DeadLetterUnavailableException when some are still not taken: they stay owed, sent again next call
     */
    public void awaitSent() throws InterruptedException {
        synchronized (awaiting) {
            List<Letter> letters;
            synchronized (owed) {
                letters = new ArrayList<>(owed);
            }
            if (letters.isEmpty()) {
                return;
            }
            Duration backoff = FIRST_BACKOFF;
            for (int attempt = 1; ; attempt++) {
                long started = System.nanoTime();
                sendAll(letters);
                Throwable failure = null;
                List<Letter> done = new ArrayList<>();
                for (Letter letter : letters) {
                    Throwable error = await(letter, started);
                    if (error == null) {
                        done.add(letter);
                    } else {
                        letter.sent = null; // owed again: sent anew, never waited on twice
                        failure = error;
                    }
                }
                letters.removeAll(done);
                synchronized (owed) {
                    owed.removeAll(done);
                }
                if (letters.isEmpty()) {
                    markAvailable();
                    return;
                }
                watcher.sendsFailed(letters.size());
                markUnavailable(failure.toString());
                if (attempt == ATTEMPTS) {
                    throw new DeadLetterUnavailableException("the dead-letter topic " + topic + " did not take "
                            + letters.size() + " records after " + ATTEMPTS + " attempts (kept, sent again with the next "
                            + "commit attempt): " + failure);
                }
                LOG.warn("{} records not taken by the dead-letter topic {} (attempt {} of {}): {}", letters.size(), topic,
                        attempt, ATTEMPTS, failure.toString());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    /**
     * Sends what is not in flight. A send that cannot even start (no metadata for the topic within
     * max.block.ms: the topic is gone) fails the rest of this round at once, rather than blocking once per record.
     */
    private void sendAll(List<Letter> letters) {
        RuntimeException cannotSend = null;
        for (Letter letter : letters) {
            if (letter.sent != null) {
                continue;
            }
            if (cannotSend != null) {
                letter.sent = CompletableFuture.failedFuture(cannotSend);
                continue;
            }
            try {
                letter.sent = producer.send(letter.record);
                cannotSend = failedAtOnce(letter.sent);
            } catch (RuntimeException e) {
                cannotSend = e;
                letter.sent = CompletableFuture.failedFuture(e);
            }
        }
    }

    /** The producer returns a send that could not start (metadata timeout) as a future failed already. */
    private static RuntimeException failedAtOnce(Future<RecordMetadata> sent) {
        if (!sent.isDone()) {
            return null;
        }
        try {
            sent.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException(e);
        }
    }

    /** Waits for one send; null once acknowledged, else why not. Past {@link #UNAVAILABLE_AFTER} says so, and waits on. */
    private Throwable await(Letter letter, long startedNanos) throws InterruptedException {
        while (true) {
            try {
                letter.sent.get(1, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (TimeoutException e) {
                if (System.nanoTime() - startedNanos > UNAVAILABLE_AFTER.toNanos()) {
                    markUnavailable("sends not acknowledged for " + UNAVAILABLE_AFTER.toSeconds() + " s");
                }
            }
        }
    }

    private void markUnavailable(String why) {
        if (unavailableSince == null) {
            unavailableSince = Instant.now();
            LOG.warn("the dead-letter topic {} is not taking records ({}); the batches that skipped them wait, and "
                    + "they are sent again", topic, why);
        }
        watcher.unavailable(unavailableSince, "dead-letter topic " + topic + ": " + why);
    }

    private void markAvailable() {
        if (unavailableSince != null) {
            LOG.info("the dead-letter topic {} takes records again (unavailable since {})", topic, unavailableSince);
            unavailableSince = null;
            watcher.available();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
