package dev.orderpipeline.operator.e2e.kubelet;

/** A container cannot be configured (a missing Secret, ConfigMap or key): {@code CreateContainerConfigError}. */
final class ContainerConfigException extends Exception {
    ContainerConfigException(String message) {
        super(message);
    }
}
