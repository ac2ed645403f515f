package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SnowflakeSinkSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names, labels and the pod template of an OrderPipeline's dbt runs: a CronJob for {@code dbt.schedule} and
 * one Job per {@code dbt.runNonce}. The container is the dbt/ image, whose entrypoint leaves a JSON run
 * summary in {@code /dev/termination-log}; the operator reads it back from the finished pod.
 *
 * <p>The dbt project's {@code profiles.yml} reads the Snowflake connection from the environment: the plain
 * settings come from the pipeline's sink, the private key is mounted from its Secret as a file
 * ({@code SNOWFLAKE_PRIVATE_KEY_PATH}) and the passphrase is a {@code secretKeyRef}. A {@code dbt.profile}
 * Secret key, when given, replaces the image's profiles.yml.
 */
public final class DbtResources {
    public static final String NAME_LABEL_VALUE = "orderpipeline-dbt";
    public static final String COMPONENT = "dbt";
    public static final String CONTAINER_NAME = "dbt";
    /** manual (one Job per runNonce) or schedule (Jobs of the CronJob). */
    public static final String TRIGGER_LABEL = "orderpipeline.dev/dbt-trigger";
    public static final String TRIGGER_MANUAL = "manual";
    public static final String TRIGGER_SCHEDULE = "schedule";
    public static final String RUN_NONCE_ANNOTATION = "orderpipeline.dev/dbt-run-nonce";
    /** Selects every dbt Job this operator made, scheduled or manual. */
    public static final String JOB_SELECTOR = LoaderResources.MANAGED_SELECTOR + ",app.kubernetes.io/name=" + NAME_LABEL_VALUE;

    /** The dbt image runs as this user (dbt/Dockerfile). */
    static final long DBT_UID = 10001L;
    /** The dbt project's variables for the Snowflake key file and its passphrase (dbt/profiles.yml). */
    static final String PRIVATE_KEY_PATH = "SNOWFLAKE_PRIVATE_KEY_PATH";
    static final String PRIVATE_KEY_PASSPHRASE = "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE";
    /** A failed dbt run (a failing test) fails again on retry: no retries, the next run is the next schedule. */
    static final int BACKOFF_LIMIT = 0;
    static final int SUCCESSFUL_JOBS_HISTORY = 3;
    static final int FAILED_JOBS_HISTORY = 3;
    /** The CronJob controller appends 11 characters to a CronJob's name for its Jobs (63 in all). */
    private static final int MAX_CRONJOB_NAME = 52;
    /** A Job's name becomes a pod label value (63 characters at most). */
    private static final int MAX_JOB_NAME = 63;

    private DbtResources() {
    }

    /** The pipeline's dbt settings, when dbt runs are wanted at all (a dbt section with an image). */
    public static Optional<DbtSpec> active(OrderPipeline pipeline) {
        DbtSpec dbt = pipeline.getSpec() == null ? null : pipeline.getSpec().dbt();
        return dbt != null && dbt.image() != null && !dbt.image().isBlank() ? Optional.of(dbt) : Optional.empty();
    }

    public static String cronJobName(OrderPipeline pipeline) {
        return bounded(pipeline.getMetadata().getName(), "-dbt", MAX_CRONJOB_NAME);
    }

    /** The Job of one requested run: the same nonce always gives the same name, a new nonce a new one. */
    public static String jobName(OrderPipeline pipeline, String runNonce) {
        return bounded(pipeline.getMetadata().getName(), "-dbt-" + digest(runNonce, 5), MAX_JOB_NAME);
    }

    /** Labels of the dbt Jobs and pods; {@code app.kubernetes.io/instance} names the pipeline. */
    public static Map<String, String> labels(OrderPipeline pipeline, String trigger) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", NAME_LABEL_VALUE);
        labels.put("app.kubernetes.io/instance", pipeline.getMetadata().getName());
        labels.put("app.kubernetes.io/component", COMPONENT);
        labels.put("app.kubernetes.io/part-of", "orderpipeline");
        labels.put(LoaderResources.MANAGED_BY_LABEL, LoaderResources.MANAGED_BY);
        labels.put(TRIGGER_LABEL, trigger);
        return labels;
    }

    /** The pipeline a dbt Job or pod belongs to, from its labels. */
    public static Optional<String> pipelineOf(Map<String, String> labels) {
        if (labels == null || !NAME_LABEL_VALUE.equals(labels.get("app.kubernetes.io/name"))) {
            return Optional.empty();
        }
        return Optional.ofNullable(labels.get("app.kubernetes.io/instance"));
    }

    /** The Job spec shared by the CronJob's template and the one-shot Jobs. */
    static JobSpec jobSpec(OrderPipeline pipeline, DbtSpec dbt, String trigger) {
        return new JobSpecBuilder()
                .withBackoffLimit(BACKOFF_LIMIT)
                .withActiveDeadlineSeconds(dbt.maxDurationOrDefault().toSeconds())
                .withTemplate(podTemplate(pipeline, dbt, trigger))
                .build();
    }

    static PodTemplateSpec podTemplate(OrderPipeline pipeline, DbtSpec dbt, String trigger) {
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        // dbt's target and log paths are under /tmp/dbt in the image: writable with a read-only root filesystem.
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("1Gi")).endEmptyDir()
                .build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        List<SecretUse> secrets = WorkloadSecrets.dbt(pipeline.getSpec());
        List<EnvVar> env = environment(pipeline, dbt, secrets);
        volumes.addAll(WorkloadSecrets.volumes(secrets));
        mounts.addAll(WorkloadSecrets.mounts(secrets));
        ContainerBuilder container = new ContainerBuilder()
                .withName(CONTAINER_NAME)
                .withImage(dbt.image())
                .withImagePullPolicy("IfNotPresent")
                .withEnv(env)
                // The entrypoint writes the run summary there; the kubelet hands it back as the termination message.
                .withTerminationMessagePath("/dev/termination-log")
                .withTerminationMessagePolicy("File")
                .withResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("100m"))
                        .addToRequests("memory", new Quantity("256Mi"))
                        .addToLimits("memory", new Quantity("1Gi"))
                        .build())
                .withSecurityContext(RestrictedSecurity.container())
                .withVolumeMounts(mounts);
        if (dbt.command() != null && !dbt.command().isEmpty()) {
            container.withCommand(dbt.command());
        }
        if (dbt.args() != null && !dbt.args().isEmpty()) {
            container.withArgs(dbt.args());
        }
        PodTemplateSpec pod = new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(labels(pipeline, trigger)).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(RestrictedSecurity.pod(DBT_UID))
                .withContainers(container.build())
                .withVolumes(volumes)
                .endSpec()
                .build();
        // Where dbt pods run and how their image is pulled follow the pipeline's pod template.
        PodTemplates.applyScheduling(pipeline.getSpec().podTemplate(), pod);
        return pod;
    }

    /** The dbt project's variables (dbt/README.md); credentials only by reference or as a mounted file. */
    static List<EnvVar> environment(OrderPipeline pipeline, DbtSpec dbt, List<SecretUse> secrets) {
        Map<String, String> plain = new LinkedHashMap<>();
        SinkSpec sink = pipeline.getSpec().sink();
        Optional<SnowflakeSinkSpec> snowflake = snowflake(pipeline);
        String target = dbt.target() != null ? dbt.target() : snowflake.isPresent() ? "snowflake" : null;
        LoaderEnvironment.putIfSet(plain, "DBT_TARGET", target);
        secrets.stream().filter(use -> use.field().equals(WorkloadSecrets.DBT_PROFILE_FIELD)).findFirst()
                .ifPresent(profile -> plain.put("DBT_PROFILES_DIR", profile.file().directory()));
        snowflake.ifPresent(s -> {
            plain.put("SNOWFLAKE_ACCOUNT", s.account());
            plain.put("SNOWFLAKE_USER", s.user());
            LoaderEnvironment.putIfSet(plain, "SNOWFLAKE_ROLE", s.role());
            LoaderEnvironment.putIfSet(plain, "SNOWFLAKE_WAREHOUSE", s.warehouse());
            plain.put("SNOWFLAKE_DATABASE", s.database());
            plain.put("SNOWFLAKE_SCHEMA", s.schema());
            // The loader's table, the dbt project's source.
            plain.put("DBT_SOURCE_DATABASE", s.database());
            plain.put("DBT_SOURCE_SCHEMA", s.schema());
        });
        LoaderEnvironment.putIfSet(plain, "DBT_ORDERS_TABLE", sink.table());
        List<EnvVar> env = new ArrayList<>();
        plain.forEach((name, value) -> env.add(new EnvVar(name, value, null)));
        env.addAll(WorkloadSecrets.env(secrets));
        return env;
    }

    private static Optional<SnowflakeSinkSpec> snowflake(OrderPipeline pipeline) {
        SinkSpec sink = pipeline.getSpec().sink();
        return sink != null && sink.type() == SinkSpec.Type.SNOWFLAKE ? Optional.ofNullable(sink.snowflake())
                : Optional.empty();
    }

    /** {@code base + suffix}, with base shortened (and made unique by a digest) when the whole is too long. */
    static String bounded(String base, String suffix, int max) {
        if (base.length() + suffix.length() <= max) {
            return base + suffix;
        }
        String tag = "-" + digest(base, 3);
        String head = base.substring(0, max - suffix.length() - tag.length());
        while (head.endsWith("-") || head.endsWith(".")) {
            head = head.substring(0, head.length() - 1);
        }
        return head + tag + suffix;
    }

    private static String digest(String text, int bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
