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

/** A warehouse table replicated into PostgreSQL by a single replicator pod. */
@Group(OrderPipeline.GROUP)
@Version(OrderPipeline.VERSION)
@Kind("CdcSync")
@Plural("cdcsyncs")
@ShortNames("cdc")
@Categories(OrderPipeline.CATEGORY)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Lag", jsonPath = ".status.lagSeconds", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Last sync", jsonPath = ".status.lastSyncTime", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// Names become the app.kubernetes.io/instance label of the pods, and label values hold 63 characters.
@ValidationRule(value = "self.metadata.name.size() <= 63",
        message = "metadata.name must be at most 63 characters: it becomes the app.kubernetes.io/instance label of the pods")
public class CdcSync extends CustomResource<CdcSyncSpec, CdcSyncStatus> implements Namespaced {
}
