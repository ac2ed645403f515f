package dev.orderpipeline.operator.dbt;

import dev.orderpipeline.operator.api.DbtRunStatus;
import dev.orderpipeline.operator.dependent.DbtResources;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads what a dbt Job did: whether it finished, and the run summary its pod left as termination message
 * ({@code status.containerStatuses[].state.terminated.message}). Pure functions of the objects given, so
 * a malformed message or a missing pod gives a reading with a problem, never an exception.
 */
public final class DbtRunReader {
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final String RUNNING = "Running";
    /** Condition reasons of a finished run without a usable summary. */
    public static final String SUMMARY_MISSING = "DbtSummaryMissing";
    public static final String SUMMARY_MALFORMED = "DbtSummaryMalformed";

    private DbtRunReader() {
    }

    /**
     * One dbt run as read.
     *
     * @param run     what goes to {@code status.dbt.lastRun}
     * @param summary the parsed summary of a finished run, when its pod left a valid one
     * @param problem why a finished run has no summary (no pod, no message, or not a summary)
     */
    public record Reading(DbtRunStatus run, Optional<DbtRunSummary> summary, Optional<Problem> problem) {
        public boolean finished() {
            return !RUNNING.equals(run.result());
        }

        public boolean succeeded() {
            return SUCCEEDED.equals(run.result());
        }
    }

    /** Why a finished run has no summary: a condition reason and a message without the message's text. */
    public record Problem(String reason, String message) {
    }

    /** The most recently created dbt Job (scheduled or manual). */
    public static Optional<Job> latest(Collection<Job> jobs) {
        return jobs.stream().max(Comparator.comparing(DbtRunReader::created).thenComparing(j -> j.getMetadata().getName()));
    }

    /** A Job is finished when it reports Complete or Failed (or, before conditions, success/failure counts). */
    public static boolean finished(Job job) {
        return hasCondition(job, "Complete") || jobFailed(job) || count(job, JobStatus::getSucceeded) > 0;
    }

    static boolean jobFailed(Job job) {
        if (hasCondition(job, "Failed")) {
            return true;
        }
        Integer backoff = job.getSpec() == null ? null : job.getSpec().getBackoffLimit();
        return count(job, JobStatus::getFailed) > (backoff == null ? 6 : backoff);
    }

    /** Pods that belong to the Job: owned by it, or labelled with its name. */
    public static List<Pod> podsOf(Job job, Collection<Pod> pods) {
        String name = job.getMetadata().getName();
        String uid = job.getMetadata().getUid();
        return pods.stream().filter(pod -> {
            List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
            boolean owned = owners != null && owners.stream().anyMatch(o -> "Job".equals(o.getKind())
                    && name.equals(o.getName()) && (uid == null || o.getUid() == null || uid.equals(o.getUid())));
            Map<String, String> labels = pod.getMetadata().getLabels();
            boolean labelled = labels != null && (name.equals(labels.get("batch.kubernetes.io/job-name"))
                    || name.equals(labels.get("job-name")));
            return owned || labelled;
        }).toList();
    }

    /** Reads a Job and the pods that belong to it. */
    public static Reading read(Job job, Collection<Pod> pods) {
        String name = job.getMetadata().getName();
        String start = Optional.ofNullable(job.getStatus()).map(JobStatus::getStartTime)
                .orElse(job.getMetadata().getCreationTimestamp());
        if (!finished(job)) {
            return new Reading(new DbtRunStatus(name, start, null, RUNNING, null, null, null, null),
                    Optional.empty(), Optional.empty());
        }
        boolean jobFailed = jobFailed(job);
        Optional<ContainerStateTerminated> terminated = lastTerminated(podsOf(job, pods));
        String end = Optional.ofNullable(job.getStatus()).map(JobStatus::getCompletionTime)
                .or(() -> terminated.map(ContainerStateTerminated::getFinishedAt))
                .or(() -> condition(job, "Failed").map(JobCondition::getLastTransitionTime))
                .orElse(null);
        String jobResult = jobFailed ? FAILED : SUCCEEDED;
        if (terminated.isEmpty()) {
            return new Reading(new DbtRunStatus(name, start, end, jobResult, null, null, null, null), Optional.empty(),
                    Optional.of(new Problem(SUMMARY_MISSING,
                            "no terminated dbt pod of Job " + name + " was found (deleted, or never started)")));
        }
        DbtRunSummary summary;
        try {
            summary = DbtRunSummary.parse(terminated.get().getMessage());
        } catch (DbtRunSummary.MalformedSummaryException e) {
            String exit = terminated.get().getExitCode() == null ? "" : ", exit code " + terminated.get().getExitCode();
            return new Reading(new DbtRunStatus(name, start, end, jobResult, null, null, null, null), Optional.empty(),
                    Optional.of(new Problem(SUMMARY_MALFORMED,
                            "the dbt pod of Job " + name + " left no run summary: " + e.getMessage() + exit)));
        }
        String result = summary.ok() && !jobFailed ? SUCCEEDED : FAILED;
        return new Reading(new DbtRunStatus(name, start, end, result, summary.models().ok(), summary.models().error(),
                summary.tests().pass(), summary.testsFailed()), Optional.of(summary), Optional.empty());
    }

    /** The dbt container's last termination among the pods (a Job may have retried). */
    static Optional<ContainerStateTerminated> lastTerminated(List<Pod> pods) {
        return pods.stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
                .flatMap(p -> p.getStatus().getContainerStatuses().stream())
                .filter(c -> DbtResources.CONTAINER_NAME.equals(c.getName()))
                .map(ContainerStatus::getState)
                .filter(Objects::nonNull)
                .map(s -> s.getTerminated())
                .filter(Objects::nonNull)
                .max(Comparator.comparing(t -> instant(t.getFinishedAt())));
    }

    private static boolean hasCondition(Job job, String type) {
        return condition(job, type).isPresent();
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    }

    private static int count(Job job, java.util.function.Function<JobStatus, Integer> field) {
        return job.getStatus() == null ? 0 : Objects.requireNonNullElse(field.apply(job.getStatus()), 0);
    }

    private static Instant created(Job job) {
        return instant(job.getMetadata().getCreationTimestamp());
    }

    private static Instant instant(String timestamp) {
        if (timestamp == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
