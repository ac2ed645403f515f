package dev.orderpipeline.operator.dbt;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static dev.orderpipeline.operator.TestPipelines.snowflakeSpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.SharedOperatorTest;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.DbtRunStatus;
import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.dependent.DbtResources;
import dev.orderpipeline.operator.metrics.OperatorMetrics;
import dev.orderpipeline.operator.status.ConditionType;
import dev.orderpipeline.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** dbt runs of an OrderPipeline, with the real operator on the mock API server (CRUD mode). */
class DbtOperatorTest extends SharedOperatorTest {
    private static final String IMAGE = "registry.example/orders-dbt:1.0.0";
    private static final String PROFILE_SECRET = "dbt-profile";
    private String namespace;

    @BeforeEach
    void freshNamespace() {
        namespace = harness.newNamespace("dbt");
    }

    static OrderPipelineSpec withDbt(OrderPipelineSpec s, DbtSpec dbt) {
        return new OrderPipelineSpec(s.source(), s.sink(), s.batch(), s.scaling(), s.deadLetter(), dbt, s.monitoring(),
                s.state());
    }

    static DbtSpec dbt(String schedule, String runNonce) {
        return new DbtSpec(IMAGE, null, List.of("build"), schedule, "snowflake", null, runNonce);
    }

    @Test
    void scheduleGivesACronJobThatForbidsOverlapAndRunsTheDbtImageLockedDown() {
        OrderPipeline applied = apply(withDbt(snowflakeSpec(), dbt("*/30 * * * *", null)));

        CronJob cron = await().atMost(WAIT).until(() -> cronJob("orders-dbt"), c -> c != null);
        assertEquals(applied.getMetadata().getUid(), cron.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("*/30 * * * *", cron.getSpec().getSchedule());
        assertEquals("Forbid", cron.getSpec().getConcurrencyPolicy());
        assertEquals(3, cron.getSpec().getSuccessfulJobsHistoryLimit());
        assertEquals(3, cron.getSpec().getFailedJobsHistoryLimit());
        assertEquals(0, cron.getSpec().getJobTemplate().getSpec().getBackoffLimit());
        assertEquals(7200L, cron.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds(),
                "a hung run is stopped after 2 h by default, so it cannot block a Forbid schedule forever");
        assertEquals(false, cron.getSpec().getSuspend());
        assertEquals("schedule", cron.getSpec().getJobTemplate().getMetadata().getLabels().get(DbtResources.TRIGGER_LABEL));
        assertDbtPod(cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec());
        String serialized = client.getKubernetesSerialization().asYaml(cron);
        TestPipelines.secretValues().forEach(v -> assertFalse(serialized.contains(v), "a secret value in the CronJob"));
        assertTrue(client.batch().v1().jobs().inNamespace(namespace).list().getItems().isEmpty(),
                "no run without a runNonce");

        edit(spec -> withDbt(spec, dbt(null, null)));
        await().atMost(WAIT).until(() -> cronJob("orders-dbt") == null);
    }

    @Test
    void pausingThePipelineSuspendsItsDbtScheduleAndMaxDurationBoundsEachRun() {
        apply(withDbt(snowflakeSpec(), new DbtSpec(IMAGE, null, List.of("build"), "0 * * * *", "snowflake", null, null, "45m")));
        CronJob cron = await().atMost(WAIT).until(() -> cronJob("orders-dbt"), c -> c != null);
        assertEquals(2700L, cron.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds());

        edit(spec -> new OrderPipelineSpec(spec.source(), spec.sink(), spec.batch(), spec.scaling(), spec.deadLetter(),
                spec.dbt(), spec.monitoring(), PipelineState.PAUSED));
        await().atMost(WAIT).until(() -> cronJob("orders-dbt"), c -> Boolean.TRUE.equals(c.getSpec().getSuspend()));
    }

    @Test
    void pausingAStalledPipelineStillSuspendsItsDbtSchedule() {
        apply(withDbt(snowflakeSpec(), dbt("0 * * * *", null)));
        await().atMost(WAIT).until(() -> cronJob("orders-dbt"), c -> c != null && Boolean.FALSE.equals(c.getSpec().getSuspend()));
        client.secrets().inNamespace(namespace).withName(TestPipelines.KAFKA_SECRET).delete();
        await().atMost(WAIT).until(() -> client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").get(),
                p -> p.getStatus() != null && "Stalled".equals(p.getStatus().phase()));

        edit(spec -> new OrderPipelineSpec(spec.source(), spec.sink(), spec.batch(), spec.scaling(), spec.deadLetter(),
                spec.dbt(), spec.monitoring(), PipelineState.PAUSED));

        await().atMost(WAIT).until(() -> cronJob("orders-dbt"), c -> Boolean.TRUE.equals(c.getSpec().getSuspend()));
    }

    @Test
    void aProfileSecretReplacesTheImagesProfiles() {
        apply(withDbt(snowflakeSpec(), new DbtSpec(IMAGE, List.of("/usr/app/dbt/entrypoint.sh"), List.of("run"),
                "0 * * * *", "prod", new SecretKeyReference(PROFILE_SECRET, "profiles.yml"), null)));
        CronJob cron = await().atMost(WAIT).until(() -> cronJob("orders-dbt"), c -> c != null);
        PodSpec pod = cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        Container dbt = pod.getContainers().get(0);
        assertEquals(List.of("/usr/app/dbt/entrypoint.sh"), dbt.getCommand());
        assertEquals(List.of("run"), dbt.getArgs());
        assertEquals("prod", value(dbt, "DBT_TARGET"));
        String dir = value(dbt, "DBT_PROFILES_DIR");
        Volume profile = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                && PROFILE_SECRET.equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertEquals("profiles.yml", profile.getSecret().getItems().get(0).getKey());
        assertEquals("profiles.yml", profile.getSecret().getItems().get(0).getPath());
        assertTrue(dbt.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(profile.getName())
                && m.getMountPath().equals(dir) && m.getReadOnly()));
    }

    @Test
    void aMissingProfileSecretStallsThePipelineNamingTheFieldLikeEveryOtherReference() {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(pipeline(namespace, "orders", withDbt(snowflakeSpec(), new DbtSpec(IMAGE, null, List.of("run"),
                "0 * * * *", "prod", new SecretKeyReference("no-such-profile", "profiles.yml"), null)))).create();

        OrderPipeline stalled = await().atMost(WAIT).until(
                () -> client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").get(),
                p -> p.getStatus() != null && "Stalled".equals(p.getStatus().phase()));
        String message = stalled.getStatus().conditions().stream().filter(c -> c.getType().equals("Stalled"))
                .findFirst().orElseThrow().getMessage();
        assertTrue(message.contains("spec.dbt.profile") && message.contains("no-such-profile"), message);
        assertNull(cronJob("orders-dbt"), "no dbt run that could only fail");
    }

    @Test
    void eachNewRunNonceStartsExactlyOneJobAndOnlyTheLatestIsKept() {
        apply(withDbt(snowflakeSpec(), dbt(null, "run-1")));
        Job first = await().atMost(WAIT).until(() -> manualJobs(), jobs -> jobs.size() == 1).get(0);
        assertTrue(first.getMetadata().getName().startsWith("orders-dbt-"), first.getMetadata().getName());
        assertEquals("run-1", first.getMetadata().getAnnotations().get(DbtResources.RUN_NONCE_ANNOTATION));
        assertEquals(0, first.getSpec().getBackoffLimit());
        assertEquals(7200L, first.getSpec().getActiveDeadlineSeconds());
        assertDbtPod(first.getSpec().getTemplate().getSpec());
        OrderPipeline running = awaitStatus(p -> lastRun(p) != null);
        assertEquals(first.getMetadata().getName(), lastRun(running).job());
        assertEquals("Running", lastRun(running).result());

        edit(spec -> withDbt(spec, dbt(null, "run-2")));
        await().atMost(WAIT).until(() -> manualJobs(), jobs -> jobs.size() == 1
                && !jobs.get(0).getMetadata().getName().equals(first.getMetadata().getName()));
        Job second = manualJobs().get(0);
        assertEquals("run-2", second.getMetadata().getAnnotations().get(DbtResources.RUN_NONCE_ANNOTATION));
        // Later reconciles (a resync, a status change) start nothing more.
        edit(spec -> withDbt(spec, new DbtSpec(IMAGE, null, List.of("build"), null, "snowflake", null, "run-2")));
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> manualJobs().size() == 1);
        assertEquals(second.getMetadata().getName(), manualJobs().get(0).getMetadata().getName());
    }

    @Test
    void aFailedRunsSummaryBecomesTheLastRunTheConditionAndAnEventNamingTheFailingTest() {
        apply(withDbt(snowflakeSpec(), dbt(null, "nightly-check")));
        Job job = await().atMost(WAIT).until(() -> manualJobs(), jobs -> jobs.size() == 1).get(0);
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        finish(job, DbtRunSummaryTest.resource("summary-failing-test.json"), 1, start, false);

        OrderPipeline reported = awaitStatus(p -> lastRun(p) != null && "Failed".equals(lastRun(p).result()));
        DbtRunStatus run = lastRun(reported);
        assertEquals(job.getMetadata().getName(), run.job());
        assertEquals(start.toString(), run.startTime());
        assertEquals(start.plusSeconds(3).toString(), run.endTime());
        assertEquals(6, run.modelsPassed());
        assertEquals(0, run.modelsFailed());
        assertEquals(43, run.testsPassed());
        assertEquals(1, run.testsFailed());
        Condition condition = Conditions.find(reported.getStatus().conditions(), ConditionType.DbtSucceeded).orElseThrow();
        assertEquals("False", condition.getStatus());
        assertEquals("DbtTestsFailed", condition.getReason());
        assertTrue(condition.getMessage().contains("assert_fail_demo"), condition.getMessage());
        assertEquals(reported.getMetadata().getGeneration(), condition.getObservedGeneration());

        Event event = await().atMost(WAIT).until(() -> events("DbtTestsFailed"), e -> e.size() == 1).get(0);
        assertEquals("Warning", event.getType());
        assertTrue(event.getMessage().contains("assert_fail_demo"), event.getMessage());
        Counter failures = harness.orderPipelineReconciler().metrics().registry().find(OperatorMetrics.DBT_RUNS)
                .tags(OperatorMetrics.TAG_PIPELINE, namespace + ".orders", OperatorMetrics.TAG_RESULT,
                        OperatorMetrics.RESULT_FAILURE).counter();
        assertNotNull(failures);
        assertEquals(1.0, failures.count());
        assertEquals(1.0, harness.orderPipelineReconciler().metrics().registry().find(OperatorMetrics.DBT_TESTS_FAILED)
                .tags(OperatorMetrics.TAG_PIPELINE, namespace + ".orders").gauge().value());

        // Read once: the finished run is not announced again, and no new Job is started for the same nonce.
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> events("DbtTestsFailed").size() == 1
                && manualJobs().size() == 1);
        assertEquals(1.0, failures.count());
    }

    @Test
    void aSuccessfulRunSetsDbtSucceededTrue() {
        apply(withDbt(snowflakeSpec(), dbt(null, "1")));
        Job job = await().atMost(WAIT).until(() -> manualJobs(), jobs -> jobs.size() == 1).get(0);
        finish(job, DbtRunSummaryTest.resource("summary-ok.json"), 0, Instant.now().truncatedTo(ChronoUnit.SECONDS), true);

        OrderPipeline reported = awaitStatus(p -> lastRun(p) != null && "Succeeded".equals(lastRun(p).result()));
        assertEquals(44, lastRun(reported).testsPassed());
        Condition condition = Conditions.find(reported.getStatus().conditions(), ConditionType.DbtSucceeded).orElseThrow();
        assertEquals("True", condition.getStatus());
        assertEquals("DbtRunSucceeded", condition.getReason());
        await().atMost(WAIT).until(() -> events("DbtRunSucceeded"), e -> e.size() == 1);
    }

    @Test
    void aMalformedTerminationMessageIsReportedNotCrashedOn() {
        apply(withDbt(snowflakeSpec(), dbt(null, "2")));
        Job job = await().atMost(WAIT).until(() -> manualJobs(), jobs -> jobs.size() == 1).get(0);
        finish(job, "Traceback (most recent call last): dbt blew up with password=hunter2", 2,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), false);

        OrderPipeline reported = awaitStatus(p -> lastRun(p) != null && "Failed".equals(lastRun(p).result()));
        assertNull(lastRun(reported).testsFailed());
        Condition condition = Conditions.find(reported.getStatus().conditions(), ConditionType.DbtSucceeded).orElseThrow();
        assertEquals("False", condition.getStatus());
        assertEquals(DbtRunReader.SUMMARY_MALFORMED, condition.getReason());
        assertTrue(condition.getMessage().contains(job.getMetadata().getName()), condition.getMessage());
        assertFalse(condition.getMessage().contains("hunter2"), "the message's text is not repeated");
        Event event = await().atMost(WAIT).until(() -> events(DbtRunReader.SUMMARY_MALFORMED), e -> e.size() == 1).get(0);
        assertFalse(event.getMessage().contains("hunter2"));
        // The operator keeps reconciling the pipeline: the loaders are still reported.
        assertNotNull(reported.getStatus().desiredReplicas());
        assertEquals("Pending", reported.getStatus().phase());
    }

    // ---- helpers

    private void assertDbtPod(PodSpec pod) {
        assertEquals("Never", pod.getRestartPolicy());
        assertFalse(pod.getAutomountServiceAccountToken());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container dbt = pod.getContainers().get(0);
        assertEquals(IMAGE, dbt.getImage());
        assertEquals(List.of("build"), dbt.getArgs());
        assertTrue(dbt.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(dbt.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), dbt.getSecurityContext().getCapabilities().getDrop());
        assertEquals("/dev/termination-log", dbt.getTerminationMessagePath());
        assertTrue(dbt.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")));
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("tmp") && v.getEmptyDir() != null));
        assertEquals("snowflake", value(dbt, "DBT_TARGET"));
        assertEquals("myorg-myaccount", value(dbt, "SNOWFLAKE_ACCOUNT"));
        assertEquals("LOADER", value(dbt, "SNOWFLAKE_USER"));
        assertEquals("RAW", value(dbt, "SNOWFLAKE_DATABASE"));
        assertEquals("KAFKA", value(dbt, "DBT_SOURCE_SCHEMA"));
        assertEquals("ORDERS", value(dbt, "DBT_ORDERS_TABLE"));
        // The private key as a file from its Secret; the passphrase by reference; no credential as a literal.
        String keyPath = value(dbt, "SNOWFLAKE_PRIVATE_KEY_PATH");
        Volume key = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                && TestPipelines.SNOWFLAKE_SECRET.equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertEquals("rsa_key.p8", key.getSecret().getItems().get(0).getKey());
        assertTrue(dbt.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(key.getName()) && m.getReadOnly()
                && keyPath.equals(m.getMountPath() + "/" + key.getSecret().getItems().get(0).getPath())));
        EnvVar passphrase = dbt.getEnv().stream().filter(e -> e.getName().equals("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"))
                .findFirst().orElseThrow();
        assertNull(passphrase.getValue());
        assertEquals(TestPipelines.SNOWFLAKE_SECRET, passphrase.getValueFrom().getSecretKeyRef().getName());
        assertEquals("passphrase", passphrase.getValueFrom().getSecretKeyRef().getKey());
    }

    private static String value(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .map(EnvVar::getValue).orElse(null);
    }

    /** What the Job controller and the kubelet would do: a pod that ran and terminated, and the Job's outcome. */
    private void finish(Job job, String terminationMessage, int exitCode, Instant start, boolean succeeded) {
        Instant end = start.plusSeconds(3);
        Map<String, String> labels = new java.util.HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
        Pod pod = new PodBuilder().withNewMetadata().withName(job.getMetadata().getName() + "-x7k2p")
                .withNamespace(namespace).withLabels(labels)
                .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withController(true).endOwnerReference()
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .withNewStatus().withPhase(succeeded ? "Succeeded" : "Failed")
                .addNewContainerStatus().withName(DbtResources.CONTAINER_NAME).withImage(IMAGE).withReady(false)
                .withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(exitCode).withReason(succeeded ? "Completed" : "Error")
                .withMessage(terminationMessage).withStartedAt(start.toString()).withFinishedAt(end.toString())
                .endTerminated().endState()
                .endContainerStatus().endStatus().build();
        Pod created = client.resource(pod).create();
        if (created.getStatus() == null || created.getStatus().getContainerStatuses() == null
                || created.getStatus().getContainerStatuses().isEmpty()) {
            created.setStatus(pod.getStatus());
            client.resource(created).updateStatus();
        }
        Job current = client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get();
        JobStatusBuilder status = new JobStatusBuilder().withStartTime(start.toString()).withActive(0);
        if (succeeded) {
            status.withSucceeded(1).withCompletionTime(end.toString())
                    .addNewCondition().withType("Complete").withStatus("True").withLastTransitionTime(end.toString())
                    .endCondition();
        } else {
            status.withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                    .withLastTransitionTime(end.toString()).endCondition();
        }
        current.setStatus(status.build());
        client.resource(current).updateStatus();
    }

    private OrderPipeline apply(OrderPipelineSpec spec) {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName(PROFILE_SECRET)
                .withNamespace(namespace).endMetadata().withStringData(Map.of("profiles.yml", "order_pipeline: {}"))
                .build()).create();
        return client.resource(pipeline(namespace, "orders", spec)).create();
    }

    private void edit(UnaryOperator<OrderPipelineSpec> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").edit(p -> {
                    p.setSpec(change.apply(p.getSpec()));
                    return p;
                });
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private CronJob cronJob(String name) {
        return client.batch().v1().cronjobs().inNamespace(namespace).withName(name).get();
    }

    private List<Job> manualJobs() {
        return client.batch().v1().jobs().inNamespace(namespace)
                .withLabel(DbtResources.TRIGGER_LABEL, DbtResources.TRIGGER_MANUAL).list().getItems().stream()
                .filter(j -> j.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private OrderPipeline awaitStatus(Predicate<OrderPipeline> condition) {
        await().atMost(WAIT).until(() -> {
            OrderPipeline p = client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").get();
            return p != null && p.getStatus() != null && condition.test(p);
        });
        return client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").get();
    }

    private static DbtRunStatus lastRun(OrderPipeline p) {
        return p.getStatus() == null || p.getStatus().dbt() == null ? null : p.getStatus().dbt().lastRun();
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }
}
