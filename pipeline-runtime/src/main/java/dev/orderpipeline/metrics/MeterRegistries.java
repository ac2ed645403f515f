package dev.orderpipeline.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.ipc.http.HttpUrlConnectionSender;
import io.micrometer.datadog.DatadogConfig;
import io.micrometer.datadog.DatadogMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.micrometer.statsd.StatsdProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registries of one runtime process, chosen by {@link MetricsConfig}: Prometheus (always; it
 * backs {@code /metrics}), DogStatsD in Datadog flavour to the node's agent, and the Datadog API.
 * Meters are registered on {@link #registry()}, a composite that fans out to all of them and puts
 * the common tags on every meter. {@link #close()} publishes what is left and stops the pushers.
 */
public final class MeterRegistries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeterRegistries.class);

    private final CompositeMeterRegistry composite;
    private final PrometheusMeterRegistry prometheus;
    private final Optional<StatsdMeterRegistry> dogStatsd;
    private final Optional<DatadogMeterRegistry> datadogApi;
    private final Tags commonTags;

    private MeterRegistries(CompositeMeterRegistry composite, PrometheusMeterRegistry prometheus,
                            Optional<StatsdMeterRegistry> dogStatsd, Optional<DatadogMeterRegistry> datadogApi, Tags commonTags) {
        this.composite = composite;
        this.prometheus = prometheus;
        this.dogStatsd = dogStatsd;
        this.datadogApi = datadogApi;
        this.commonTags = commonTags;
    }

    /**
     * Builds and starts the registries.
     *
     * @param processTags the process's own common tags (pipeline, topic, sink for a loader); blank values are left out
     */
    public static MeterRegistries create(MetricsConfig config, Map<String, String> processTags) {
        Map<String, String> tags = new LinkedHashMap<>(config.tags());
        processTags.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                tags.put(k, v);
            }
        });
        List<Tag> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(Tag.of(k, v)));
        Tags common = Tags.of(tagList);

        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.config().commonTags(common);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        composite.add(prometheus);
        Optional<StatsdMeterRegistry> statsd = config.dogStatsd().map(target -> dogStatsd(target, config.step()));
        statsd.ifPresent(composite::add);
        Optional<DatadogMeterRegistry> datadog = config.datadogApi().map(api -> datadogApi(api, config.step()));
        datadog.ifPresent(composite::add);
        config.dogStatsd().ifPresent(t -> LOG.info("metrics: DogStatsD to {}:{} every {}", t.host(), t.port(), config.step()));
        config.datadogApi().ifPresent(a -> LOG.info("metrics: Datadog API push to {} every {}", a.uri(), config.step()));
        return new MeterRegistries(composite, prometheus, statsd, datadog, common);
    }

    private static StatsdMeterRegistry dogStatsd(MetricsConfig.DogStatsd target, Duration step) {
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

    private static DatadogMeterRegistry datadogApi(MetricsConfig.DatadogApi api, Duration step) {
        DatadogConfig config = new DatadogConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String apiKey() {
                return api.apiKey();
            }

            @Override
            public String applicationKey() {
                return api.applicationKey().orElse(null);
            }

            @Override
            public String uri() {
                return api.uri();
            }

            @Override
            public Duration step() {
                return step;
            }
        };
        return DatadogMeterRegistry.builder(config)
                .clock(Clock.SYSTEM)
                .httpClient(new DatadogApiSender(new HttpUrlConnectionSender(Duration.ofSeconds(5), Duration.ofSeconds(10))))
                .build();
    }

    /** Register every meter here. */
    public MeterRegistry registry() {
        return composite;
    }

    /** For {@code /metrics}. */
    public PrometheusMeterRegistry prometheus() {
        return prometheus;
    }

    public Tags commonTags() {
        return commonTags;
    }

    public boolean dogStatsdEnabled() {
        return dogStatsd.isPresent();
    }

    public boolean datadogApiEnabled() {
        return datadogApi.isPresent();
    }

    /** Publishes the last partial step to the Datadog API, flushes DogStatsD, and closes every registry. */
    @Override
    public void close() {
        datadogApi.ifPresent(r -> closeQuietly(r, "Datadog API"));
        dogStatsd.ifPresent(r -> closeQuietly(r, "DogStatsD"));
        closeQuietly(composite, "composite");
        closeQuietly(prometheus, "Prometheus");
    }

    private static void closeQuietly(MeterRegistry registry, String what) {
        try {
            registry.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} metrics registry failed: {}", what, e.toString());
        }
    }
}
