package dev.orderpipeline.operator.metrics;

import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineStatus;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's own meters, per OrderPipeline: desired and ready loader replicas, consumer lag as the
 * operator reads it, and dbt run results. Names, units and tags are those pipeline-runtime's
 * {@code dev.orderpipeline.metrics.MetricNames} reserves for the operator (the operator does not depend on
 * pipeline-runtime at run time; a test checks the two agree). The {@code pipeline} tag has the runtime's
 * value ({@code <namespace>.<name>}), so the loaders' and the operator's series of a pipeline line up.
 */
public final class OperatorMetrics {
    public static final String REPLICAS_DESIRED = "orderpipeline.operator.replicas.desired";
    public static final String REPLICAS_READY = "orderpipeline.operator.replicas.ready";
    public static final String CONSUMER_LAG = "orderpipeline.operator.consumer.lag";
    public static final String DBT_RUNS = "orderpipeline.operator.dbt.runs";
    public static final String DBT_MODELS_FAILED = "orderpipeline.operator.dbt.models.failed";
    public static final String DBT_TESTS_FAILED = "orderpipeline.operator.dbt.tests.failed";
    public static final String TAG_PIPELINE = "pipeline";
    public static final String TAG_NAMESPACE = "namespace";
    public static final String TAG_RESULT = "result";
    public static final String RESULT_SUCCESS = "success";
    public static final String RESULT_FAILURE = "failure";

    private final MeterRegistry registry;
    private final Map<ResourceID, PipelineMeters> pipelines = new ConcurrentHashMap<>();

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Updates the gauges from a pipeline's freshly composed status. */
    public void observed(OrderPipeline pipeline, OrderPipelineStatus status) {
        PipelineMeters meters = meters(pipeline);
        meters.desired.set(value(status.desiredReplicas()));
        meters.ready.set(value(status.readyReplicas()));
        meters.lag.set(value(status.consumerLag()));
    }

    /** Counts one finished dbt run and keeps its failures for the gauges. */
    public void dbtRunFinished(OrderPipeline pipeline, boolean succeeded, Integer modelsFailed, Integer testsFailed) {
        PipelineMeters meters = meters(pipeline);
        Counter counter = Counter.builder(DBT_RUNS)
                .baseUnit("runs")
                .description("Finished dbt runs, tagged result:success or result:failure")
                .tags(meters.tags.and(TAG_RESULT, succeeded ? RESULT_SUCCESS : RESULT_FAILURE))
                .register(registry);
        meters.owned.add(counter);
        counter.increment();
        meters.modelsFailed.set(value(modelsFailed));
        meters.testsFailed.set(value(testsFailed));
    }

    /** Removes the meters of a deleted pipeline. */
    public void forget(ResourceID id) {
        PipelineMeters meters = pipelines.remove(id);
        if (meters != null) {
            meters.owned.forEach(registry::remove);
        }
    }

    private PipelineMeters meters(OrderPipeline pipeline) {
        return pipelines.computeIfAbsent(ResourceID.fromResource(pipeline), id -> new PipelineMeters(
                Tags.of(TAG_PIPELINE, pipeline.pipelineName(),
                        TAG_NAMESPACE, pipeline.getMetadata().getNamespace())));
    }

    private static double value(Number number) {
        return number == null ? Double.NaN : number.doubleValue();
    }

    private final class PipelineMeters {
        final Tags tags;
        final List<Meter> owned = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicReference<Double> desired = new AtomicReference<>(Double.NaN);
        final AtomicReference<Double> ready = new AtomicReference<>(Double.NaN);
        final AtomicReference<Double> lag = new AtomicReference<>(Double.NaN);
        final AtomicReference<Double> modelsFailed = new AtomicReference<>(Double.NaN);
        final AtomicReference<Double> testsFailed = new AtomicReference<>(Double.NaN);

        PipelineMeters(Tags tags) {
            this.tags = tags;
            gauge(REPLICAS_DESIRED, "replicas", "Loader replicas the scaler wants", desired);
            gauge(REPLICAS_READY, "replicas", "Loader replicas ready", ready);
            gauge(CONSUMER_LAG, "records", "Total consumer lag of a pipeline's group, as the operator reads it", lag);
            gauge(DBT_MODELS_FAILED, "models", "Models that failed in the last dbt run", modelsFailed);
            gauge(DBT_TESTS_FAILED, "tests", "Tests that failed in the last dbt run", testsFailed);
        }

        private void gauge(String name, String unit, String description, AtomicReference<Double> value) {
            owned.add(Gauge.builder(name, value, AtomicReference::get)
                    .baseUnit(unit).description(description).tags(tags).strongReference(true)
                    .register(registry));
        }
    }
}
