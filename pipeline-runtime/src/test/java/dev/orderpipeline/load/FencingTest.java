package dev.orderpipeline.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.metrics.MetricNames;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.Warehouse;
import dev.orderpipeline.warehouse.Warehouses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loader freezes mid-commit (a long GC pause, a suspended VM: neither its commit nor its poll thread
 * runs) long enough for the group to give its partition to another loader (a zombie). When it wakes
 * up, its late commit must roll back: no record is loaded twice. (A stalled sink alone no longer
 * costs the partitions: the poll thread keeps polling, see {@link StalledSinkTest}.)
 */
@ExtendWith(KafkaExtension.class)
class FencingTest {
    @TempDir
    Path dir;

    @Test
    void aStalledLoaderWhosePartitionMovedOnHasItsLateCommitRolledBack(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("fencing");
        kafka.createTopic(topic, 1);
        OrderTopics.produceOrders(kafka, topic, 2_000, 0, 0, 3, 0);
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "");
        LoaderConfig config = LoaderConfig.from(new Environment(env));

        // The zombie: its first commit waits at a gate, its poll thread freezes with it, and it may go 4 s
        // between polls before the group drops it.
        GatedWarehouse gated = new GatedWarehouse(Warehouses.forSink(config.sink(), config.pipelineName()));
        Properties consumerProps = KafkaClientProperties.consumer(config.source(), 10_000);
        consumerProps.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "4000");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Loader zombie = new Loader(config, gated, new FreezingConsumer(consumerProps, gated), Optional.empty(), new LoaderStatus(),
                new LoaderMetrics(registry, config.pipelineName(), topic, "duckdb"));
        Thread zombieThread = new Thread(zombie, "zombie-loader");
        zombieThread.start();
        assertTrue(gated.entered.await(60, TimeUnit.SECONDS), "the zombie never tried to commit");

        try (InProcessLoader successor = InProcessLoader.start(env)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> successor.committedRecords() == 2_000);
            gated.release.countDown();
            await().atMost(Duration.ofMinutes(2)).until(() ->
                    registry.counter(MetricNames.FENCED_COMMITS, "pipeline", config.pipelineName(), "topic", topic, "sink", "duckdb").count() == 1);
            zombie.stop();
            zombieThread.join(30_000);
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\") FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(2_000, rs.getLong(1), "every record exactly once");
            assertEquals(2_000, rs.getLong(2));
        }
    }

    /** The real consumer, whose poll waits at the gate while the write does: the whole process is frozen. */
    static final class FreezingConsumer extends KafkaConsumer<byte[], byte[]> {
        private final GatedWarehouse gate;

        FreezingConsumer(Properties properties, GatedWarehouse gate) {
            super(properties);
            this.gate = gate;
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            if (gate.entered.getCount() == 0) {
                try {
                    gate.release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.poll(timeout);
        }
    }

    /** The real warehouse, with a gate in front of the first write. */
    static final class GatedWarehouse implements Warehouse {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final Warehouse delegate;

        GatedWarehouse(Warehouse delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<Column> open() throws SQLException {
            return delegate.open();
        }

        @Override
        public Map<Integer, Long> storedOffsets(String pipeline, String topic, Collection<Integer> partitions) throws SQLException {
            return delegate.storedOffsets(pipeline, topic, partitions);
        }

        @Override
        public void write(Batch batch) throws SQLException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delegate.write(batch);
        }

        @Override
        public void reset() {
            delegate.reset();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
