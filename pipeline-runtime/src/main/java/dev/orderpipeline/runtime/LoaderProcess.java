package dev.orderpipeline.runtime;

import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.http.RuntimeHttpServer;
import dev.orderpipeline.load.Loader;
import dev.orderpipeline.load.LoaderStatus;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.source.DeadLetterPublisher;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.warehouse.Warehouse;
import dev.orderpipeline.warehouse.Warehouses;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/** A loader with everything around it: warehouse, Kafka clients, metrics and the HTTP endpoints. */
public final class LoaderProcess implements AutoCloseable {
    private final Loader loader;
    private final LoaderStatus status = new LoaderStatus();
    private final RuntimeHttpServer http;

    public LoaderProcess(LoaderConfig config, String httpHost) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Warehouse warehouse = Warehouses.forSink(config.sink(), config.pipelineName());
        String sinkName = config.sink() instanceof dev.orderpipeline.config.SinkConfig.DuckDb ? "duckdb" : "snowflake";
        LoaderMetrics metrics = new LoaderMetrics(registry, config.pipelineName(), config.source().topic(), sinkName);
        int maxPoll = Math.min(config.batch().maxRecords(), 10_000);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.consumer(config.source(), maxPoll));
        Optional<DeadLetterPublisher> deadLetters = config.deadLetterTopic().map(topic ->
                new DeadLetterPublisher(new KafkaProducer<>(KafkaClientProperties.producer(config.source())), topic));
        loader = new Loader(config, warehouse, consumer, deadLetters, status, metrics);
        http = new RuntimeHttpServer(httpHost, config.httpPort(), status::isReady, status::snapshot, registry);
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
    }
}
