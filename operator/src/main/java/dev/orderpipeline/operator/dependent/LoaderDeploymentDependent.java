package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.DatadogSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.scaling.LoaderReplicas;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The loader pods (pipeline-runtime {@code load}); owned by the OrderPipeline, so deleted with it. */
public class LoaderDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, OrderPipeline> {
    public static final String DD_ENV_LABEL = "tags.datadoghq.com/env";
    public static final String DD_SERVICE_LABEL = "tags.datadoghq.com/service";
    public static final String DD_VERSION_LABEL = "tags.datadoghq.com/version";
    static final long RUNTIME_UID = 10001L;
    static final Quantity TMP_SIZE_LIMIT = new Quantity("1Gi");
    /** DuckDB's file lives here (one loader, demos and small setups); a warehouse sink leaves it empty. */
    static final Quantity DATA_SIZE_LIMIT = new Quantity("20Gi");

    private final String runtimeImage;

    public LoaderDeploymentDependent(String runtimeImage) {
        super(Deployment.class);
        this.runtimeImage = runtimeImage;
        configureWith(DependentInformers.managedOnly(Deployment.class));
    }

    @Override
    protected Deployment desired(OrderPipeline pipeline, Context<OrderPipeline> context) {
        String image = PodTemplates.image(pipeline.getSpec().podTemplate(), runtimeImage);
        Map<String, String> labels = new LinkedHashMap<>(LoaderResources.labels(pipeline));
        labels.putAll(datadogLabels(pipeline, image));
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                .withName(LoaderResources.deploymentName(pipeline))
                .withNamespace(pipeline.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withReplicas(context.managedWorkflowAndDependentResourceContext()
                        .get(LoaderReplicas.CONTEXT_KEY, Integer.class)
                        .orElseGet(() -> LoaderReplicas.desired(pipeline.getSpec())))
                .withNewSelector().withMatchLabels(LoaderResources.selectorLabels(pipeline)).endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .withAnnotations(podAnnotations(pipeline, context))
                .endMetadata()
                .withNewSpec()
                // The loader flushes and commits its batch on SIGTERM; give it time to do so.
                .withTerminationGracePeriodSeconds(60L)
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(RestrictedSecurity.pod(RUNTIME_UID))
                .withContainers(loaderContainer(pipeline, image))
                // Writable places for a read-only root filesystem: the JVM's temp files and DuckDB's file, bounded
                // so that a runaway file is an evicted pod, not a full node disk.
                .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(TMP_SIZE_LIMIT).endEmptyDir().endVolume()
                .addNewVolume().withName("data").withNewEmptyDir().withSizeLimit(DATA_SIZE_LIMIT).endEmptyDir().endVolume()
                .addAllToVolumes(WorkloadSecrets.volumes(WorkloadSecrets.loader(pipeline.getSpec())))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        PodTemplates.apply(pipeline.getSpec().podTemplate(), deployment.getSpec().getTemplate());
        return deployment;
    }

    private Container loaderContainer(OrderPipeline pipeline, String image) {
        return new ContainerBuilder()
                .withName(LoaderResources.CONTAINER_NAME)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withArgs("load")
                .addNewPort().withName("http").withContainerPort(LoaderEnvironment.HTTP_PORT_NUMBER)
                .withProtocol("TCP").endPort()
                .addNewEnvFrom().withNewConfigMapRef().withName(LoaderResources.configMapName(pipeline))
                .withOptional(false).endConfigMapRef().endEnvFrom()
                .withEnv(environment(pipeline, image))
                .withStartupProbe(startupProbe())
                .withLivenessProbe(httpProbe("/healthz", 6))
                .withReadinessProbe(readinessProbe())
                .withResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("250m"))
                        .addToRequests("memory", new Quantity("512Mi"))
                        .addToLimits("memory", new Quantity("1Gi"))
                        .build())
                .withSecurityContext(RestrictedSecurity.container())
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addNewVolumeMount().withName("data").withMountPath(LoaderEnvironment.DATA_DIR).endVolumeMount()
                .addAllToVolumeMounts(WorkloadSecrets.mounts(WorkloadSecrets.loader(pipeline.getSpec())))
                .build();
    }

    /**
     * /healthz answers from its own thread whatever the loader is doing, so a long warehouse commit never
     * fails it; the timeout leaves room for a GC pause. A loader whose writes fail is alive but not ready
     * (/readyz), which slows a rollout without restarting it. Liveness gives up after a minute.
     */
    static Probe httpProbe(String path, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(10)
                .withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    /**
     * Probed every 2 s: a new loader is Ready within 2 s of opening the warehouse (its first probe, right after
     * the startup probe, usually comes before that), so a rollout or a scale-up is not held up to a whole 10 s
     * period per pod. Fifteen failures in a row are the same 30 s as the usual 3 × 10 s before a loader whose
     * writes fail is taken out of Ready; /readyz answers from its own thread, so 2 s is ample for it.
     */
    static Probe readinessProbe() {
        return new ProbeBuilder()
                .withNewHttpGet().withPath("/readyz").withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(2)
                .withTimeoutSeconds(2)
                .withFailureThreshold(15)
                .build();
    }

    /** JVM start and the first warehouse connection may take a while; liveness starts counting after it. */
    static Probe startupProbe() {
        return new ProbeBuilder()
                .withNewHttpGet().withPath("/healthz").withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(2)
                .withTimeoutSeconds(5)
                .withFailureThreshold(60)
                .build();
    }

    private List<EnvVar> environment(OrderPipeline pipeline, String image) {
        List<EnvVar> env = new ArrayList<>(LoaderEnvironment.secretEnv(pipeline));
        DatadogSpec datadog = datadog(pipeline);
        env.addAll(DatadogPodRendering.env(datadog));
        if (datadog != null && datadog.enabledOrDefault()) {
            // Datadog's unified service tagging: the tracer and DogStatsD read DD_* which follow the pod labels.
            for (Map.Entry<String, String> tag : Map.of("DD_ENV", DD_ENV_LABEL, "DD_SERVICE", DD_SERVICE_LABEL,
                    "DD_VERSION", DD_VERSION_LABEL).entrySet()) {
                if (datadogLabels(pipeline, image).containsKey(tag.getValue())) {
                    env.add(new EnvVarBuilder().withName(tag.getKey()).withNewValueFrom().withNewFieldRef()
                            .withFieldPath("metadata.labels['" + tag.getValue() + "']").endFieldRef().endValueFrom()
                            .build());
                }
            }
            if (datadog.tags() != null && !datadog.tags().isEmpty()) {
                env.add(new EnvVar("DD_TAGS", new java.util.TreeMap<>(datadog.tags()).entrySet().stream()
                        .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(" ")), null));
            }
        }
        env.sort(java.util.Comparator.comparing(EnvVar::getName));
        return env;
    }

    /** The config hash and the Secrets' versions (a change to either rolls the pods) and, when asked for, the OpenMetrics autodiscovery annotation. */
    private static Map<String, String> podAnnotations(OrderPipeline pipeline, Context<OrderPipeline> context) {
        Map<String, String> annotations = new java.util.TreeMap<>(DatadogPodRendering.annotations(datadog(pipeline),
                LoaderResources.CONTAINER_NAME, pipeline.pipelineName()));
        annotations.put(LoaderResources.CONFIG_HASH_ANNOTATION, LoaderEnvironment.configHash(pipeline));
        SecretVersions.digest(context).ifPresent(digest -> annotations.put(SecretVersions.ANNOTATION, digest));
        return annotations;
    }

    private static Map<String, String> datadogLabels(OrderPipeline pipeline, String image) {
        DatadogSpec datadog = datadog(pipeline);
        Map<String, String> labels = new LinkedHashMap<>();
        if (datadog == null || !datadog.enabledOrDefault()) {
            return labels;
        }
        if (datadog.env() != null) {
            labels.put(DD_ENV_LABEL, datadog.env());
        }
        labels.put(DD_SERVICE_LABEL, datadog.service() != null ? datadog.service() : pipeline.getMetadata().getName());
        labels.put(DD_VERSION_LABEL, datadog.version() != null ? datadog.version() : imageTag(image));
        return labels;
    }

    /** The image's tag; a digest is not a valid label value (too long), so a digest-only image gives latest. */
    private static String imageTag(String image) {
        String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        return colon > slash ? name.substring(colon + 1) : "latest";
    }

    private static DatadogSpec datadog(OrderPipeline pipeline) {
        return pipeline.getSpec().monitoring() == null ? null : pipeline.getSpec().monitoring().datadog();
    }
}
