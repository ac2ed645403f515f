package dev.orderpipeline.operator.dbt;

import dev.orderpipeline.operator.api.DbtRunStatus;
import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.DbtStatus;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineStatus;
import dev.orderpipeline.operator.dependent.DbtResources;
import dev.orderpipeline.operator.metrics.OperatorMetrics;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import dev.orderpipeline.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports an OrderPipeline's dbt runs: the latest dbt Job (scheduled or manual) becomes
 * {@code status.dbt.lastRun} and the {@code DbtSucceeded} condition; a newly finished run is announced by an
 * Event (naming the failing tests) and counted in the operator's metrics. A finished run's pod is read once:
 * afterwards the status carries the reading, so a steady pipeline makes no API calls for it.
 *
 * <p>Also keeps only the latest manual (runNonce) Job of a pipeline; the CronJob's history limits prune
 * the scheduled ones.
 */
public final class DbtRuns {
    private static final Logger LOG = LoggerFactory.getLogger(DbtRuns.class);
    /** How many failing test or model names an Event or condition message lists. */
    private static final int MAX_NAMES = 10;

    private final Clock clock;
    private final OperatorMetrics metrics;
    /**
     * The run last announced per pipeline: a reconcile of a stale cached copy (status patch not seen yet)
     * must not announce or count the same run twice.
     */
    private final Map<ResourceID, String> announced = new ConcurrentHashMap<>();

    public DbtRuns(Clock clock, OperatorMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The status with the dbt run reading added; Events and metrics for a run that has just finished. */
    public OrderPipelineStatus observe(OrderPipeline pipeline, OrderPipelineStatus status, Context<OrderPipeline> context,
                                       EventRecorder events) {
        Collection<Job> jobs = context.getSecondaryResources(Job.class);
        removeOlderManualJobs(pipeline, jobs, context.getClient());
        DbtRunStatus previous = previousRun(pipeline);
        Optional<Condition> previousCondition = previousCondition(pipeline);
        DbtSpec spec = pipeline.getSpec().dbt();
        Optional<Job> latest = DbtRunReader.latest(jobs);
        if (latest.isEmpty() || isOlderThan(latest.get(), previous)) {
            if (spec == null) {
                return with(status, previous, null);
            }
            if (DbtResources.active(pipeline).isEmpty()) {
                return with(status, previous, condition(pipeline, false, "DbtImageMissing",
                        "spec.dbt is set without an image: no dbt run is scheduled or started."));
            }
            return with(status, previous, carried(pipeline, previousCondition));
        }
        Job job = latest.get();
        String name = job.getMetadata().getName();
        boolean alreadyRead = previous != null && name.equals(previous.job())
                && !DbtRunReader.RUNNING.equals(previous.result());
        if (alreadyRead) {
            return with(status, previous, carried(pipeline, previousCondition));
        }
        List<Pod> pods = List.of();
        if (DbtRunReader.finished(job)) {
            try {
                pods = context.getClient().pods().inNamespace(job.getMetadata().getNamespace())
                        .withLabel("app.kubernetes.io/name", DbtResources.NAME_LABEL_VALUE)
                        .withLabel("app.kubernetes.io/instance", pipeline.getMetadata().getName())
                        .list().getItems();
            } catch (KubernetesClientException e) {
                // Read again at the next reconcile rather than report a run without its summary.
                LOG.warn("event=dbt_pods_unreadable namespace={} name={} job={} error=\"{}\"",
                        pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), name, e.getMessage());
                return with(status, previous, carried(pipeline, previousCondition));
            }
        }
        DbtRunReader.Reading reading = DbtRunReader.read(job, pods);
        if (!reading.finished()) {
            return with(status, reading.run(), carried(pipeline, previousCondition));
        }
        Condition condition = conditionOf(pipeline, reading);
        announce(pipeline, reading, condition, events);
        return with(status, reading.run(), condition);
    }

    /** Forgets a deleted pipeline. */
    public void forget(ResourceID id) {
        announced.remove(id);
    }

    /** For a pipeline the operator cannot reconcile (stalled): what was last reported stays. */
    public OrderPipelineStatus carryOver(OrderPipeline pipeline, OrderPipelineStatus status) {
        if (pipeline.getSpec() == null || pipeline.getSpec().dbt() == null) {
            return with(status, previousRun(pipeline), null);
        }
        return with(status, previousRun(pipeline), carried(pipeline, previousCondition(pipeline)));
    }

    private Condition conditionOf(OrderPipeline pipeline, DbtRunReader.Reading reading) {
        String job = reading.run().job();
        if (reading.problem().isPresent()) {
            return condition(pipeline, false, reading.problem().get().reason(), reading.problem().get().message() + ".");
        }
        DbtRunSummary summary = reading.summary().orElseThrow();
        String what = "dbt " + Objects.requireNonNullElse(summary.command(), "run") + " (Job " + job + ")";
        if (reading.succeeded()) {
            return condition(pipeline, true, "DbtRunSucceeded", what + " succeeded: " + summary.models().ok()
                    + " model(s) built, " + summary.tests().pass() + " test(s) passed"
                    + (summary.tests().warn() > 0 ? ", " + summary.tests().warn() + " warning(s)" : "") + ".");
        }
        StringBuilder message = new StringBuilder(what).append(" failed");
        String reason;
        if (summary.testsFailed() > 0) {
            reason = "DbtTestsFailed";
            message.append(": ").append(summary.testsFailed()).append(" test(s) failed: ")
                    .append(names(summary.failingTests(), summary.testsFailed()));
        } else if (summary.models().error() > 0) {
            reason = "DbtModelsFailed";
            message.append(": ").append(summary.models().error()).append(" model(s) failed: ")
                    .append(names(summary.errorModels(), summary.models().error()));
        } else if (summary.error() != null) {
            reason = "DbtError";
            message.append(": ").append(shorten(summary.error(), 300));
        } else {
            reason = "DbtRunFailed";
            message.append(" (the Job failed)");
        }
        if (summary.testsFailed() > 0 && summary.models().error() > 0) {
            message.append("; ").append(summary.models().error()).append(" model(s) failed: ")
                    .append(names(summary.errorModels(), summary.models().error()));
        }
        return condition(pipeline, false, reason, message.append('.').toString());
    }

    private void announce(OrderPipeline pipeline, DbtRunReader.Reading reading, Condition condition,
                          EventRecorder events) {
        DbtRunStatus run = reading.run();
        if (run.job().equals(announced.put(ResourceID.fromResource(pipeline), run.job()))) {
            return;
        }
        LOG.info("event=dbt_run_finished namespace={} name={} job={} result={} reason={}",
                pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(), run.job(), run.result(),
                condition.getReason());
        if ("True".equals(condition.getStatus())) {
            events.normal(pipeline, condition.getReason(), condition.getMessage());
        } else {
            events.warning(pipeline, condition.getReason(), condition.getMessage());
        }
        metrics.dbtRunFinished(pipeline, reading.succeeded(), run.modelsFailed(), run.testsFailed());
    }

    /** Deletes manual dbt Jobs other than the one of the current runNonce (or the newest, without one). */
    private static void removeOlderManualJobs(OrderPipeline pipeline, Collection<Job> jobs, KubernetesClient client) {
        List<Job> manual = jobs.stream()
                .filter(j -> j.getMetadata().getLabels() != null
                        && DbtResources.TRIGGER_MANUAL.equals(j.getMetadata().getLabels().get(DbtResources.TRIGGER_LABEL)))
                .toList();
        if (manual.size() < 2) {
            return;
        }
        String nonce = pipeline.getSpec().dbt() == null ? null : pipeline.getSpec().dbt().runNonce();
        String keep = nonce != null && !nonce.isEmpty() ? DbtResources.jobName(pipeline, nonce)
                : DbtRunReader.latest(manual).map(j -> j.getMetadata().getName()).orElse("");
        boolean keptExists = manual.stream().anyMatch(j -> keep.equals(j.getMetadata().getName()));
        if (!keptExists) {
            // The new run's Job is not in the cache yet: keep everything until it is.
            return;
        }
        for (Job job : manual) {
            if (keep.equals(job.getMetadata().getName()) || job.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            try {
                client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                        .withName(job.getMetadata().getName())
                        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
                LOG.info("event=dbt_job_removed namespace={} name={} job={} reason=superseded",
                        pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName(),
                        job.getMetadata().getName());
            } catch (KubernetesClientException e) {
                LOG.warn("event=dbt_job_not_removed namespace={} job={} error=\"{}\"",
                        job.getMetadata().getNamespace(), job.getMetadata().getName(), e.getMessage());
            }
        }
    }

    /** A Job older than the reported run (e.g. the reported one was deleted) must not replace it. */
    private static boolean isOlderThan(Job job, DbtRunStatus previous) {
        if (previous == null || previous.startTime() == null || job.getMetadata().getName().equals(previous.job())) {
            return false;
        }
        Instant reported = instant(previous.startTime());
        Instant created = instant(job.getMetadata().getCreationTimestamp());
        return reported != null && created != null && created.isBefore(reported.minusSeconds(1));
    }

    private Condition condition(OrderPipeline pipeline, boolean ok, String reason, String message) {
        return new Conditions(previousConditions(pipeline), generation(pipeline), clock)
                .set(ConditionType.DbtSucceeded, ok, reason, message).build().get(0);
    }

    /** The previous DbtSucceeded condition, observed again at the current generation. */
    private Condition carried(OrderPipeline pipeline, Optional<Condition> previous) {
        return previous.map(c -> condition(pipeline, "True".equals(c.getStatus()), c.getReason(), c.getMessage()))
                .orElse(null);
    }

    /** The status with {@code dbt.lastRun} and the DbtSucceeded condition (none when null) replaced. */
    static OrderPipelineStatus with(OrderPipelineStatus s, DbtRunStatus lastRun, Condition dbtSucceeded) {
        List<Condition> conditions = new ArrayList<>();
        if (s.conditions() != null) {
            s.conditions().stream().filter(c -> !ConditionType.DbtSucceeded.name().equals(c.getType()))
                    .forEach(conditions::add);
        }
        if (dbtSucceeded != null) {
            conditions.add(dbtSucceeded);
        }
        return new OrderPipelineStatus(s.observedGeneration(), s.phase(), List.copyOf(conditions), s.replicas(),
                s.readyReplicas(), s.desiredReplicas(), s.labelSelector(), s.partitions(), s.consumerLag(),
                s.recordsLoaded(), s.lastCommitTime(), s.freshnessSeconds(),
                lastRun == null ? null : new DbtStatus(lastRun));
    }

    private static DbtRunStatus previousRun(OrderPipeline pipeline) {
        OrderPipelineStatus status = pipeline.getStatus();
        return status == null || status.dbt() == null ? null : status.dbt().lastRun();
    }

    private static Optional<Condition> previousCondition(OrderPipeline pipeline) {
        return Conditions.find(previousConditions(pipeline), ConditionType.DbtSucceeded);
    }

    private static List<Condition> previousConditions(OrderPipeline pipeline) {
        return pipeline.getStatus() == null ? null : pipeline.getStatus().conditions();
    }

    private static long generation(OrderPipeline pipeline) {
        return Objects.requireNonNullElse(pipeline.getMetadata().getGeneration(), 0L);
    }

    private static String names(List<String> names, int count) {
        List<String> shown = names.size() > MAX_NAMES ? names.subList(0, MAX_NAMES) : names;
        String text = shown.isEmpty() ? "(names not reported)" : String.join(", ", shown);
        int more = count - shown.size();
        return more > 0 && !shown.isEmpty() ? text + " and " + more + " more" : text;
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static Instant instant(String timestamp) {
        try {
            return timestamp == null ? null : Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
