package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.OrderPipeline;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.Optional;

/** The replicator's non-secret settings; owned by the CdcSync, so deleted with it. */
public class ReplicatorConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, CdcSync> {

    public ReplicatorConfigMapDependent() {
        super(ConfigMap.class);
        configureWith(DependentInformers.managedOnly(ConfigMap.class));
    }

    @Override
    protected ConfigMap desired(CdcSync sync, Context<CdcSync> context) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(ReplicatorResources.configMapName(sync))
                .withNamespace(sync.getMetadata().getNamespace())
                .withLabels(ReplicatorResources.labels(sync))
                .endMetadata()
                .withData(ReplicatorEnvironment.configData(sync, referenced(context)))
                .build();
    }

    static Optional<OrderPipeline> referenced(Context<CdcSync> context) {
        return context.managedWorkflowAndDependentResourceContext()
                .get(ReplicatorResources.REFERENCED_PIPELINE_KEY, OrderPipeline.class);
    }
}
