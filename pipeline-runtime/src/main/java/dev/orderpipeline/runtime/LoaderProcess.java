package dev.orderpipeline.runtime;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.http.RuntimeHttpServer;
import dev.orderpipeline.load.Loader;
import dev.orderpipeline.load.LoaderStatus;
import dev.orderpipeline.metrics.KafkaConsumerMeters;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.metrics.MeterRegistries;
import dev.orderpipeline.metrics.MeteredWarehouse;
import dev.orderpipeline.metrics.MetricNames;
import dev.orderpipeline.metrics.MetricsConfig;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.source.DeadLetterTopicCheck;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.warehouse.Warehouse;
import dev.orderpipeline.warehouse.Warehouses;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/** A loader with everything around it: warehouse, Kafka clients, metrics and the HTTP endpoints. */
public final class LoaderProcess implements AutoCloseable {
    private static final Duration DEAD_LETTER_CHECK = Duration.ofSeconds(30);
    private final Loader loader;
    private final LoaderStatus status = new LoaderStatus();
    private final RuntimeHttpServer http;
    private final MeterRegistries registries;
    private final KafkaConsumerMeters consumerMeters;

    /** Metrics configured from the process environment (DD_*, OPL_METRICS_*). */
    public LoaderProcess(LoaderConfig config, String httpHost) throws IOException {
        this(config, Environment.system(), httpHost);
    }

    /** Metrics configured from {@code env}, the environment {@code config} was read from. */
    public LoaderProcess(LoaderConfig config, Environment env, String httpHost) throws IOException {
        // A missing dead-letter topic is a start-up error (before any client starts), not a wait on every bad record.
        config.deadLetterTopic().ifPresent(topic -> DeadLetterTopicCheck.requireExists(config.source(), topic, DEAD_LETTER_CHECK));
        String sinkName = config.sink().type().label();
        MetricsConfig metricsConfig = MetricsConfig.from(env);
        registries = MeterRegistries.create(metricsConfig, Map.of(MetricNames.TAG_PIPELINE, config.pipelineName(),
                MetricNames.TAG_TOPIC, config.source().topic(), MetricNames.TAG_SINK, sinkName));
        LoaderMetrics metrics = new LoaderMetrics(registries.registry(), config.pipelineName(), config.source().topic(), sinkName);
        Warehouse warehouse = new MeteredWarehouse(Warehouses.forSink(config.sink(), config.pipelineName(), config.sinkStatementTimeout()), metrics);
        int maxPoll = Math.min(config.batch().maxRecords(), 10_000);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.consumer(config.source(), maxPoll));
        consumerMeters = new KafkaConsumerMeters(registries.registry(), consumer, metrics.tags(), metricsConfig.step());
        Optional<DeadLetterPublisher> deadLetters = config.deadLetterTopic().map(topic -> new DeadLetterPublisher(
                new KafkaProducer<>(KafkaClientProperties.deadLetterProducer(config.source())), topic,
                status.deadLetterWatcher(metrics)));
        loader = new Loader(config, warehouse, consumer, deadLetters, status, metrics);
        http = new RuntimeHttpServer(httpHost, config.httpPort(), status::isReady, status::snapshot, registries.prometheus());
    }

    public LoaderStatus status() {
        return status;
    }

    public int httpPort() {
        return http.port();
    }

    /** Runs until {@link #stop()} or a fatal error. */
    public void run() {
        loader.run();
    }

    public void stop() {
        loader.stop();
    }

    @Override
    public void close() {
        http.close();
        consumerMeters.close();
        registries.close(); // publishes the last counts to Datadog
    }
}
