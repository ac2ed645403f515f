package dev.orderpipeline.operator.status;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.List;
import java.util.Optional;

/**
 * Why a workload's pods do not run, read from what Kubernetes reports (pod container states, the
 * Deployment's conditions) rather than inferred from replica counts: a crash-looping or unpullable
 * container, or a rollout past its progress deadline. A retrying kubelet or Deployment controller would
 * otherwise look like a rollout in progress forever.
 *
 * @param reason  the condition reason (one of the constants)
 * @param message what is wrong, with the pod, its exit code and a short part of its termination message
 */
public record WorkloadTrouble(String reason, String message) {
    public static final String CRASH_LOOPING = "CrashLooping";
    public static final String IMAGE_PULL_FAILED = "ImagePullFailed";
    public static final String CONTAINER_CONFIG_ERROR = "ContainerConfigError";
    public static final String ROLLOUT_STUCK = "RolloutStuck";
    /** Enough of a termination message to name the cause; the runtime's messages start with it. */
    private static final int MESSAGE_LIMIT = 300;

    /** The first troubled container of the pods, most telling first (an image pull, a config error, a crash). */
    public static Optional<WorkloadTrouble> ofPods(List<Pod> pods) {
        WorkloadTrouble found = null;
        for (Pod pod : pods) {
            if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                    || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
                ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
                if (waiting == null || waiting.getReason() == null) {
                    continue;
                }
                String name = pod.getMetadata().getName();
                WorkloadTrouble trouble = switch (waiting.getReason()) {
                    case "ImagePullBackOff", "ErrImagePull", "InvalidImageName" -> new WorkloadTrouble(IMAGE_PULL_FAILED,
                            "Pod " + name + " cannot pull image " + container.getImage() + " (" + waiting.getReason()
                                    + "): check the operator's runtime image setting, the tag, and imagePullSecrets. "
                                    + abridged(waiting.getMessage()));
                    case "CreateContainerConfigError", "CreateContainerError" -> new WorkloadTrouble(CONTAINER_CONFIG_ERROR,
                            "Pod " + name + " cannot start its container (" + waiting.getReason() + "): "
                                    + abridged(waiting.getMessage()));
                    case "CrashLoopBackOff" -> new WorkloadTrouble(CRASH_LOOPING, crashMessage(name, container));
                    default -> null;
                };
                if (trouble != null && (found == null || rank(trouble) < rank(found))) {
                    found = trouble;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /** The Deployment controller gave up on progress, or cannot create pods (quota, admission). */
    public static Optional<WorkloadTrouble> ofDeployment(Optional<Deployment> deployment) {
        List<DeploymentCondition> conditions = deployment.map(Deployment::getStatus)
                .map(s -> s.getConditions()).orElse(List.of());
        for (DeploymentCondition c : conditions) {
            if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                return Optional.of(new WorkloadTrouble(ROLLOUT_STUCK, "Deployment " + name(deployment) + " cannot create pods ("
                        + c.getReason() + "): " + abridged(c.getMessage())));
            }
            if ("Progressing".equals(c.getType()) && "False".equals(c.getStatus())
                    && "ProgressDeadlineExceeded".equals(c.getReason())) {
                return Optional.of(new WorkloadTrouble(ROLLOUT_STUCK, "Deployment " + name(deployment) + " made no progress within its "
                        + "deadline (ProgressDeadlineExceeded): " + abridged(c.getMessage())));
            }
        }
        return Optional.empty();
    }

    private static String name(Optional<Deployment> deployment) {
        return deployment.map(d -> d.getMetadata().getName()).orElse("");
    }

    private static String crashMessage(String pod, ContainerStatus container) {
        ContainerStateTerminated last = container.getLastState() == null ? null : container.getLastState().getTerminated();
        StringBuilder text = new StringBuilder("Pod ").append(pod).append(" keeps exiting (CrashLoopBackOff, ")
                .append(container.getRestartCount()).append(" restart(s))");
        if (last != null) {
            text.append(", last exit code ").append(last.getExitCode());
            if (last.getMessage() != null && !last.getMessage().isBlank()) {
                text.append(": ").append(abridged(last.getMessage()));
            } else if (last.getReason() != null) {
                text.append(" (").append(last.getReason()).append(')');
            }
        }
        return text.append(". Its log says more: kubectl logs --previous ").append(pod).append('.').toString();
    }

    private static int rank(WorkloadTrouble trouble) {
        return switch (trouble.reason()) {
            case IMAGE_PULL_FAILED -> 0;
            case CONTAINER_CONFIG_ERROR -> 1;
            default -> 2;
        };
    }

    static String abridged(String text) {
        if (text == null) {
            return "";
        }
        String line = text.strip();
        return line.length() > MESSAGE_LIMIT ? line.substring(0, MESSAGE_LIMIT) + "…" : line;
    }
}
