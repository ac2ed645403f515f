package dev.orderpipeline.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader consumer's meters: every Kafka client metric through Micrometer's
 * {@link KafkaClientMetrics}, and {@value MetricNames#CONSUMER_LAG} per assigned partition, read
 * from the consumer's own {@code records-lag} metric (the consumer itself is never called from
 * here: it is not thread-safe, its metrics registry is). Partitions come and go with rebalances;
 * the gauges follow on every refresh.
 */
public final class KafkaConsumerMeters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaConsumerMeters.class);
    private static final String FETCH_MANAGER_GROUP = "consumer-fetch-manager-metrics";
    private static final String RECORDS_LAG = "records-lag";

    private final MeterRegistry registry;
    private final Consumer<?, ?> consumer;
    private final Tags tags;
    private final ScheduledExecutorService scheduler;
    private final KafkaClientMetrics clientMetrics;
    private final Map<Integer, PartitionLag> lagByPartition = new ConcurrentHashMap<>();

    private record PartitionLag(AtomicReference<Metric> metric, Gauge gauge) {
    }

    /**
     * @param tags pipeline, topic and sink (the registry adds the common tags)
     * @param refresh how often new Kafka metrics and partitions are picked up
     */
    public KafkaConsumerMeters(MeterRegistry registry, Consumer<?, ?> consumer, Tags tags, Duration refresh) {
        this.registry = registry;
        this.consumer = consumer;
        this.tags = tags;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-consumer-meters");
            t.setDaemon(true);
            return t;
        });
        this.clientMetrics = new KafkaClientMetrics(consumer, Tags.empty(), scheduler, refresh);
        clientMetrics.bindTo(registry);
        long period = Math.max(100, refresh.toMillis());
        scheduler.scheduleAtFixedRate(this::refreshLag, 0, period, TimeUnit.MILLISECONDS);
    }

    /** Registers a lag gauge for each partition the consumer reports, removes those it no longer does. */
    void refreshLag() {
        try {
            Map<Integer, Metric> current = new HashMap<>();
            for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
                MetricName name = e.getKey();
                String partition = name.tags().get(MetricNames.TAG_PARTITION);
                if (RECORDS_LAG.equals(name.name()) && FETCH_MANAGER_GROUP.equals(name.group()) && partition != null) {
                    current.put(Integer.parseInt(partition), e.getValue());
                }
            }
            current.forEach((partition, metric) -> lagByPartition.compute(partition, (p, known) -> {
                if (known != null) {
                    known.metric().set(metric);
                    return known;
                }
                AtomicReference<Metric> ref = new AtomicReference<>(metric);
                Gauge gauge = Gauge.builder(MetricNames.CONSUMER_LAG, ref, KafkaConsumerMeters::value)
                        .tags(tags)
                        .tag(MetricNames.TAG_PARTITION, Integer.toString(p))
                        .description(LoaderMetrics.definition(MetricNames.CONSUMER_LAG).description())
                        .strongReference(true)
                        .register(registry);
                return new PartitionLag(ref, gauge);
            }));
            lagByPartition.keySet().removeIf(partition -> {
                if (current.containsKey(partition)) {
                    return false;
                }
                registry.remove(lagByPartition.get(partition).gauge());
                return true;
            });
        } catch (RuntimeException e) {
            LOG.debug("refreshing the consumer lag gauges failed: {}", e.toString());
        }
    }

    private static double value(AtomicReference<Metric> ref) {
        Object v = ref.get().metricValue();
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        clientMetrics.close();
    }
}
