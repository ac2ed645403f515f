package dev.orderpipeline.operator.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.Map;

/**
 * A node drain evicts at most one runtime pod of a resource at a time. Each loader gives its partitions
 * back and commits on SIGTERM; evicting all at once would stop the pipeline and pile up a rebalance. One
 * at a time never blocks a drain, even of a single replicator.
 */
final class DisruptionBudgets {
    private DisruptionBudgets() {
    }

    static PodDisruptionBudget oneAtATime(String name, String namespace, Map<String, String> labels,
                                          Map<String, String> selector) {
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(selector).endSelector()
                .endSpec()
                .build();
    }
}
