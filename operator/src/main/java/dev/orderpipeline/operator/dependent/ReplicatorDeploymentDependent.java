package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.PipelineState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The replicator pod (pipeline-runtime {@code cdc}); owned by the CdcSync, so deleted with it. One replica
 * and the Recreate strategy: the old pod is gone before the new one starts, so two replicators never
 * apply changes to the same table at once.
 */
public class ReplicatorDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, CdcSync> {
    private final String runtimeImage;

    public ReplicatorDeploymentDependent(String runtimeImage) {
        super(Deployment.class);
        this.runtimeImage = runtimeImage;
        configureWith(DependentInformers.managedOnly(Deployment.class));
    }

    @Override
    protected Deployment desired(CdcSync sync, Context<CdcSync> context) {
        Optional<OrderPipeline> referenced = ReplicatorConfigMapDependent.referenced(context);
        Map<String, String> labels = ReplicatorResources.labels(sync);
        boolean paused = sync.getSpec().state() == PipelineState.PAUSED;
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                .withName(ReplicatorResources.deploymentName(sync))
                .withNamespace(sync.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withReplicas(paused ? 0 : 1)
                .withNewStrategy().withType("Recreate").endStrategy()
                .withNewSelector().withMatchLabels(ReplicatorResources.selectorLabels(sync)).endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .withAnnotations(podAnnotations(sync, referenced, context))
                .endMetadata()
                .withNewSpec()
                // The replicator finishes its PostgreSQL transaction on SIGTERM.
                .withTerminationGracePeriodSeconds(60L)
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(RestrictedSecurity.pod(LoaderDeploymentDependent.RUNTIME_UID))
                .withContainers(container(sync, referenced))
                .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(LoaderDeploymentDependent.TMP_SIZE_LIMIT)
                .endEmptyDir().endVolume()
                .addAllToVolumes(WorkloadSecrets.volumes(WorkloadSecrets.replicator(sync.getSpec(), referenced)))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        PodTemplates.apply(sync.getSpec().podTemplate(), deployment.getSpec().getTemplate());
        return deployment;
    }

    private static Map<String, String> podAnnotations(CdcSync sync, Optional<OrderPipeline> referenced,
                                                      Context<CdcSync> context) {
        Map<String, String> annotations = new java.util.TreeMap<>();
        annotations.put(LoaderResources.CONFIG_HASH_ANNOTATION, ReplicatorEnvironment.configHash(sync, referenced));
        SecretVersions.digest(context).ifPresent(digest -> annotations.put(SecretVersions.ANNOTATION, digest));
        return annotations;
    }

    private Container container(CdcSync sync, Optional<OrderPipeline> referenced) {
        List<EnvVar> env = new ArrayList<>(ReplicatorEnvironment.secretEnv(sync, referenced));
        // The namespace tag of the replicator's metrics (a CdcSync has no Datadog settings of its own).
        env.addAll(DatadogPodRendering.env(null));
        env.sort(Comparator.comparing(EnvVar::getName));
        return new ContainerBuilder()
                .withName(ReplicatorResources.CONTAINER_NAME)
                .withImage(PodTemplates.image(sync.getSpec().podTemplate(), runtimeImage))
                .withImagePullPolicy("IfNotPresent")
                .withArgs("cdc")
                .addNewPort().withName("http").withContainerPort(LoaderEnvironment.HTTP_PORT_NUMBER)
                .withProtocol("TCP").endPort()
                .addNewEnvFrom().withNewConfigMapRef().withName(ReplicatorResources.configMapName(sync))
                .withOptional(false).endConfigMapRef().endEnvFrom()
                .withEnv(env)
                .withStartupProbe(LoaderDeploymentDependent.startupProbe())
                .withLivenessProbe(LoaderDeploymentDependent.httpProbe("/healthz", 6))
                .withReadinessProbe(LoaderDeploymentDependent.httpProbe("/readyz", 3))
                .withResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("100m"))
                        .addToRequests("memory", new Quantity("384Mi"))
                        .addToLimits("memory", new Quantity("768Mi"))
                        .build())
                .withSecurityContext(RestrictedSecurity.container())
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addAllToVolumeMounts(WorkloadSecrets.mounts(WorkloadSecrets.replicator(sync.getSpec(), referenced)))
                .build();
    }
}
