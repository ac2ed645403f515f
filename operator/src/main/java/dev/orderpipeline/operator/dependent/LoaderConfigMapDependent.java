package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.OrderPipeline;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** The loader's non-secret settings; owned by the OrderPipeline, so deleted with it. */
public class LoaderConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, OrderPipeline> {

    public LoaderConfigMapDependent() {
        super(ConfigMap.class);
        configureWith(DependentInformers.managedOnly(ConfigMap.class));
    }

    @Override
    protected ConfigMap desired(OrderPipeline pipeline, Context<OrderPipeline> context) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(LoaderResources.configMapName(pipeline))
                .withNamespace(pipeline.getMetadata().getNamespace())
                .withLabels(LoaderResources.labels(pipeline))
                .endMetadata()
                .withData(LoaderEnvironment.configData(pipeline))
                .build();
    }
}
