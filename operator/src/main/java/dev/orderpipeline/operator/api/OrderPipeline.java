package dev.orderpipeline.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Kafka topic continuously loaded into a warehouse table by a Deployment of loaders. */
@Group(OrderPipeline.GROUP)
@Version(OrderPipeline.VERSION)
@Kind("OrderPipeline")
@Plural("orderpipelines")
@ShortNames("opl")
@Categories(OrderPipeline.CATEGORY)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".status.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Lag", jsonPath = ".status.consumerLag", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Freshness", jsonPath = ".status.freshnessSeconds",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Last dbt", jsonPath = ".status.dbt.lastRun.result",
        type = AdditionalPrinterColumn.Type.STRING)
// Custom columns replace the default ones, so Age has to be listed again.
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// Names become the app.kubernetes.io/instance label of the pods, and label values hold 63 characters.
@ValidationRule(value = "self.metadata.name.size() <= 63",
        message = "metadata.name must be at most 63 characters: it becomes the app.kubernetes.io/instance label of the pods")
public class OrderPipeline extends CustomResource<OrderPipelineSpec, OrderPipelineStatus> implements Namespaced {
    public static final String GROUP = "orderpipeline.dev";
    public static final String VERSION = "v1alpha1";
    public static final String CATEGORY = "orderpipeline";

    /** The pipeline's identity for the runtime: unique in the cluster, it keys the stored offsets. */
    public String pipelineName() {
        return getMetadata().getNamespace() + "." + getMetadata().getName();
    }

    /** The loaders' consumer group: spec.source.consumerGroup, else the pipeline name (as the runtime defaults it). */
    public String consumerGroup() {
        String group = getSpec().source().consumerGroup();
        return group != null ? group : pipelineName();
    }
}
