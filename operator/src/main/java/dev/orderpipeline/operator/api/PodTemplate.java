package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/**
 * What a cluster needs of the workload's pods beyond what the operator decides: scheduling, pull
 * credentials, resources, identity and metadata. Merged over the operator's defaults field by field;
 * the restricted security context, probes, ports and volumes are the operator's and cannot be set here.
 */
public record PodTemplate(
        @Pattern("^[^\\s]+$")
        @JsonPropertyDescription("Runtime image for this resource's pods, overriding the operator's default "
                + "(upgrade one pipeline at a time). Default: the operator's runtime image.")
        String image,
        @JsonPropertyDescription("Labels added to the pods; the operator's own labels (app.kubernetes.io/*, "
                + "orderpipeline.dev/*, Datadog tags) win on conflict.")
        Map<String, String> labels,
        @JsonPropertyDescription("Annotations added to the pods; the operator's config and Secret hashes win on conflict.")
        Map<String, String> annotations,
        @JsonPropertyDescription("Secrets holding credentials for a private image registry.")
        List<LocalObjectReference> imagePullSecrets,
        @JsonPropertyDescription("Node labels the pods must run on.")
        Map<String, String> nodeSelector,
        @JsonPropertyDescription("Node and pod affinity rules.")
        Affinity affinity,
        @JsonPropertyDescription("Taints the pods tolerate.")
        List<Toleration> tolerations,
        @JsonPropertyDescription("How the pods spread over zones and nodes.")
        List<TopologySpreadConstraint> topologySpreadConstraints,
        @JsonPropertyDescription("PriorityClass of the pods.")
        String priorityClassName,
        @JsonPropertyDescription("CPU and memory requests and limits of the main container, replacing the operator's "
                + "defaults as a whole (loader: 250m / 512Mi requested, 1Gi limit).")
        ResourceRequirements resources,
        @JsonPropertyDescription("ServiceAccount the pods run as (e.g. for cloud workload identity); its token is "
                + "still not mounted: the runtime does not call the Kubernetes API.")
        String serviceAccountName) {
}
