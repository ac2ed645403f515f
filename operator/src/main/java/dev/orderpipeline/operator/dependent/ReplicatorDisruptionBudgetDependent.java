package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.CdcSync;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** The replicator's PodDisruptionBudget ({@link DisruptionBudgets}); owned by the CdcSync. */
public class ReplicatorDisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, CdcSync> {

    public ReplicatorDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
        configureWith(DependentInformers.managedOnly(PodDisruptionBudget.class));
    }

    @Override
    protected PodDisruptionBudget desired(CdcSync sync, Context<CdcSync> context) {
        return DisruptionBudgets.oneAtATime(ReplicatorResources.deploymentName(sync), sync.getMetadata().getNamespace(),
                ReplicatorResources.labels(sync), ReplicatorResources.selectorLabels(sync));
    }
}
