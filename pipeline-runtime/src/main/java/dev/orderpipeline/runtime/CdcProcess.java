package dev.orderpipeline.runtime;

import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.cdc.replication.CdcMetrics;
import dev.orderpipeline.cdc.replication.CdcStatus;
import dev.orderpipeline.cdc.replication.ChangeSources;
import dev.orderpipeline.cdc.replication.DriftAudit;
import dev.orderpipeline.cdc.replication.Replicator;
import dev.orderpipeline.cdc.source.ChangeSource;
import dev.orderpipeline.cdc.target.PostgresTarget;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.http.RuntimeHttpServer;
import dev.orderpipeline.metrics.MeterRegistries;
import dev.orderpipeline.metrics.MetricNames;
import dev.orderpipeline.metrics.MetricsConfig;
import java.io.IOException;
import java.util.Map;

/** A replicator with everything around it: source, PostgreSQL target, metrics and the HTTP endpoints. */
public final class CdcProcess implements AutoCloseable {
    private final Replicator replicator;
    private final CdcStatus status;
    private final ChangeSource source;
    private final PostgresTarget target;
    private final RuntimeHttpServer http;
    private final MeterRegistries registries;

    /** Metrics configured from the process environment (DD_*, OPL_METRICS_*). */
    public CdcProcess(CdcConfig config, String httpHost) throws IOException {
        this(config, Environment.system(), httpHost);
    }

    /** Metrics configured from {@code env}, the environment {@code config} was read from. */
    public CdcProcess(CdcConfig config, Environment env, String httpHost) throws IOException {
        String sinkName = config.warehouse().type().label();
        registries = MeterRegistries.create(MetricsConfig.from(env), Map.of(MetricNames.TAG_SINK, sinkName));
        var registry = registries.registry();
        String mode = config.mode().name().toLowerCase();
        status = new CdcStatus(config.name(), mode);
        DriftAudit.Sides sides = sides(config);
        source = sides.source();
        target = sides.target();
        CdcMetrics metrics = new CdcMetrics(registry, config.name(), mode, config.postgres().schema() + "." + config.postgres().table());
        replicator = new Replicator(config, source, target, sides(config), status, metrics);
        http = new RuntimeHttpServer(httpHost, config.httpPort(), status::isReady, status::snapshot, registries.prometheus());
    }

    /** A source and a PostgreSQL target as the configuration names them, each with its own connection when used. */
    private static DriftAudit.Sides sides(CdcConfig config) {
        ChangeSource source = ChangeSources.of(config);
        return new DriftAudit.Sides(source, new PostgresTarget(config.postgres(), config.name(),
                config.mode().name().toLowerCase(), source.shape(), config.deletes() == CdcConfig.Deletes.PROPAGATE));
    }

    public CdcStatus status() {
        return status;
    }

    public int httpPort() {
        return http.port();
    }

    /** Runs until {@link #stop()} or an error retrying cannot fix. */
    public void run() {
        replicator.run();
    }

    public void stop() {
        replicator.stop();
    }

    @Override
    public void close() {
        http.close();
        source.close();
        target.close();
        registries.close(); // publishes the last counts to Datadog
    }
}
