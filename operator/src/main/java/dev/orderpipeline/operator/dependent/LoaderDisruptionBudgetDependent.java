package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.OrderPipeline;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** The loaders' PodDisruptionBudget ({@link DisruptionBudgets}); owned by the OrderPipeline. */
public class LoaderDisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, OrderPipeline> {

    public LoaderDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
        configureWith(DependentInformers.managedOnly(PodDisruptionBudget.class));
    }

    @Override
    protected PodDisruptionBudget desired(OrderPipeline pipeline, Context<OrderPipeline> context) {
        return DisruptionBudgets.oneAtATime(LoaderResources.deploymentName(pipeline), pipeline.getMetadata().getNamespace(),
                LoaderResources.labels(pipeline), LoaderResources.selectorLabels(pipeline));
    }
}
