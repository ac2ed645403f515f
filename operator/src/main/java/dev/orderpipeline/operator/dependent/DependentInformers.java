package dev.orderpipeline.operator.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;

/** Informer settings shared by the dependents. */
final class DependentInformers {
    private DependentInformers() {
    }

    /** Watch only objects labelled as ours, in the namespaces the controller watches. */
    static <R extends HasMetadata> KubernetesDependentResourceConfig<R> managedOnly(Class<R> type) {
        return new KubernetesDependentResourceConfigBuilder<R>()
                .withKubernetesDependentInformerConfig(InformerConfiguration.builder(type)
                        .withLabelSelector(LoaderResources.MANAGED_SELECTOR)
                        .withNamespacesInheritedFromController()
                        .build())
                .build();
    }
}
