package dev.orderpipeline.operator.metrics;

import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.micrometer.statsd.StatsdProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's registries, built as pipeline-runtime's {@code MeterRegistries} builds a runtime
 * process's: Prometheus always (it backs {@code /metrics}), and DogStatsD in Datadog flavour to the node's
 * agent when {@link MetricsSettings} says so. Meters go on {@link #registry()}, a composite that feeds both
 * and puts the common tags on every meter, so the names the shipped monitors query reach Datadog unchanged
 * (Micrometer's dotted names are kept by the Datadog flavour).
 *
 * <p>There is no Datadog API push here (the runtime has one for nodes without an agent): the operator runs
 * on ordinary nodes, where the agent's DogStatsD or an OpenMetrics check of {@code /metrics} reaches Datadog.
 */
public final class OperatorRegistries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorRegistries.class);

    private final CompositeMeterRegistry composite;
    private final PrometheusMeterRegistry prometheus;
    private final Optional<StatsdMeterRegistry> dogStatsd;

    private OperatorRegistries(CompositeMeterRegistry composite, PrometheusMeterRegistry prometheus,
                               Optional<StatsdMeterRegistry> dogStatsd) {
        this.composite = composite;
        this.prometheus = prometheus;
        this.dogStatsd = dogStatsd;
    }

    /** Builds and starts the registries, with the JVM's own meters bound. */
    public static OperatorRegistries create(MetricsSettings settings) {
        List<Tag> tags = new ArrayList<>();
        settings.tags().forEach((k, v) -> tags.add(Tag.of(k, v)));
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.config().commonTags(Tags.of(tags));
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        composite.add(prometheus);
        Optional<StatsdMeterRegistry> statsd = settings.dogStatsd().map(target -> dogStatsd(target, settings.step()));
        statsd.ifPresent(composite::add);
        settings.dogStatsd().ifPresent(t ->
                LOG.info("event=metrics_dogstatsd host={} port={} step={}", t.host(), t.port(), settings.step()));
        new JvmMemoryMetrics().bindTo(composite);
        new JvmGcMetrics().bindTo(composite);
        new JvmThreadMetrics().bindTo(composite);
        new ProcessorMetrics().bindTo(composite);
        return new OperatorRegistries(composite, prometheus, statsd);
    }

    /**
     * JOSDK's reconciliation meters ({@code operator.sdk.reconciliations.*}) on these registries. Per
     * resource: the name and namespace tags are one series per pipeline, as bounded as the pipeline tag of
     * {@link OperatorMetrics}; a deleted resource's series are removed after five minutes.
     */
    public MicrometerMetrics josdkMetrics() {
        return MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(composite)
                .withCleanUpDelayInSeconds(300).withCleaningThreadNumber(1).build();
    }

    private static StatsdMeterRegistry dogStatsd(MetricsSettings.DogStatsd target, Duration step) {
        StatsdConfig config = new StatsdConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public StatsdFlavor flavor() {
                return StatsdFlavor.DATADOG;
            }

            @Override
            public String host() {
                return target.host();
            }

            @Override
            public int port() {
                return target.port();
            }

            @Override
            public StatsdProtocol protocol() {
                return StatsdProtocol.UDP;
            }

            @Override
            public Duration pollingFrequency() {
                return step;
            }

            @Override
            public Duration step() {
                return step;
            }
        };
        return StatsdMeterRegistry.builder(config).clock(Clock.SYSTEM).build();
    }

    /** Register every meter here. */
    public MeterRegistry registry() {
        return composite;
    }

    /** For {@code /metrics}. */
    public PrometheusMeterRegistry prometheus() {
        return prometheus;
    }

    public boolean dogStatsdEnabled() {
        return dogStatsd.isPresent();
    }

    /** Flushes DogStatsD and closes every registry. */
    @Override
    public void close() {
        dogStatsd.ifPresent(r -> closeQuietly(r, "DogStatsD"));
        closeQuietly(composite, "composite");
        closeQuietly(prometheus, "Prometheus");
    }

    private static void closeQuietly(MeterRegistry registry, String what) {
        try {
            registry.close();
        } catch (RuntimeException e) {
            LOG.warn("event=metrics_close_failed registry={} error=\"{}\"", what, e.toString());
        }
    }
}
