package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.PodTemplate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges a user's {@link PodTemplate} over the pod template the operator rendered: the user's fields
 * are set where the operator has no opinion (scheduling, pull Secrets, identity), replace the defaults
 * where it has one (resources, image), and never replace what keeps the workload correct or safe
 * (labels the selectors use, the config hashes, the security context, probes, volumes).
 */
final class PodTemplates {
    private PodTemplates() {
    }

    static String image(PodTemplate template, String operatorDefault) {
        return template != null && template.image() != null && !template.image().isBlank() ? template.image()
                : operatorDefault;
    }

    /** Everything of the template, for a runtime pod (loader or replicator). */
    static void apply(PodTemplate template, PodTemplateSpec pod) {
        if (template == null) {
            return;
        }
        applyScheduling(template, pod);
        Container main = pod.getSpec().getContainers().get(0);
        if (template.resources() != null) {
            main.setResources(template.resources());
        }
        if (template.serviceAccountName() != null) {
            pod.getSpec().setServiceAccountName(template.serviceAccountName());
        }
    }

    /** Where and how the pods are scheduled and pulled, and their metadata; for pods of another image too (dbt). */
    static void applyScheduling(PodTemplate template, PodTemplateSpec pod) {
        if (template == null) {
            return;
        }
        PodSpec spec = pod.getSpec();
        if (template.imagePullSecrets() != null) {
            spec.setImagePullSecrets(template.imagePullSecrets());
        }
        if (template.nodeSelector() != null) {
            spec.setNodeSelector(new TreeMap<>(template.nodeSelector()));
        }
        if (template.affinity() != null) {
            spec.setAffinity(template.affinity());
        }
        if (template.tolerations() != null) {
            spec.setTolerations(template.tolerations());
        }
        if (template.topologySpreadConstraints() != null) {
            spec.setTopologySpreadConstraints(template.topologySpreadConstraints());
        }
        if (template.priorityClassName() != null) {
            spec.setPriorityClassName(template.priorityClassName());
        }
        pod.getMetadata().setLabels(underOperators(template.labels(), pod.getMetadata().getLabels()));
        pod.getMetadata().setAnnotations(underOperators(template.annotations(), pod.getMetadata().getAnnotations()));
    }

    /** The user's entries, then the operator's over them: sorted, so the rendering is stable. */
    private static Map<String, String> underOperators(Map<String, String> users, Map<String, String> operators) {
        Map<String, String> merged = new TreeMap<>();
        if (users != null) {
            merged.putAll(users);
        }
        if (operators != null) {
            merged.putAll(operators);
        }
        return merged;
    }
}
