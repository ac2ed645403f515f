package dev.orderpipeline.operator.e2e.kubelet;

import dev.orderpipeline.embedded.Directories;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pod's files on this machine, under one directory per pod: its volumes ({@code volumes/<name>}) and
 * each container's log and termination-message file.
 *
 * <p>All processes share one filesystem, so a container's mount paths are rewritten: every
 * {@code volumeMount.mountPath} (and the termination-message path, and the service-account directory)
 * maps to a directory of this pod, and wherever such a path appears in an environment value or an
 * argument (at the start, after {@code =}, {@code :}, {@code ,} or a space, followed by {@code /} or the
 * end) it is replaced by the pod's directory. A process that builds such a path from pieces, or has one
 * compiled in, is not redirected: the image mappings pass those few paths explicitly (the Kubernetes
 * client's service-account token and CA files).
 */
final class PodFiles {
    static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
    private final Path root;
    private final Path dir;
    private final Map<String, Path> volumes = new LinkedHashMap<>();

    PodFiles(Path root, Pod pod) {
        this.root = root;
        this.dir = root.resolve(pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName() + "_"
                + pod.getMetadata().getUid().substring(0, 8));
    }

    Path directory() {
        return dir;
    }

    Path log(Container container) {
        return dir.resolve(container.getName() + ".log");
    }

    /**
     * Where a container's log is kept once its pod is gone: a node's log shipper would have it, and a test
     * reads what a stopped container said (e.g. a loader's last lines after a scale-down).
     */
    Path keptLog(Container container) {
        return root.resolve("logs-of-deleted-pods").resolve(dir.getFileName() + "_" + container.getName() + ".log");
    }

    Path terminationMessage(Container container) {
        return dir.resolve(container.getName() + ".termination-log");
    }

    /** Writes the pod's volumes (Secret and ConfigMap contents are read now, once). */
    void prepare(KubernetesClient client, Pod pod, String caCertificatePem) throws ContainerConfigException {
        try {
            Files.createDirectories(dir.resolve("volumes"));
            String namespace = pod.getMetadata().getNamespace();
            for (Volume volume : pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
                Path target = dir.resolve("volumes").resolve(volume.getName());
                Files.createDirectories(target);
                if (volume.getEmptyDir() != null) {
                    // nothing to write
                } else if (volume.getSecret() != null) {
                    Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get();
                    if (secret == null) {
                        if (!Boolean.TRUE.equals(volume.getSecret().getOptional())) {
                            throw new ContainerConfigException("MountVolume.SetUp failed for volume \"" + volume.getName()
                                    + "\" : secret \"" + volume.getSecret().getSecretName() + "\" not found");
                        }
                    } else {
                        writeKeys(target, ContainerEnvironment.secretData(secret), volume.getSecret().getItems());
                    }
                } else if (volume.getConfigMap() != null) {
                    ConfigMap map = client.configMaps().inNamespace(namespace).withName(volume.getConfigMap().getName()).get();
                    if (map == null) {
                        if (!Boolean.TRUE.equals(volume.getConfigMap().getOptional())) {
                            throw new ContainerConfigException("MountVolume.SetUp failed for volume \"" + volume.getName()
                                    + "\" : configmap \"" + volume.getConfigMap().getName() + "\" not found");
                        }
                    } else {
                        writeKeys(target, map.getData() == null ? Map.of() : map.getData(), volume.getConfigMap().getItems());
                    }
                } else if (volume.getProjected() != null) {
                    for (VolumeProjection source : volume.getProjected().getSources()) {
                        if (source.getServiceAccountToken() != null) {
                            Files.writeString(target.resolve(source.getServiceAccountToken().getPath()),
                                    token(client, pod, source.getServiceAccountToken().getExpirationSeconds()));
                        } else if (source.getConfigMap() != null) {
                            ConfigMap map = client.configMaps().inNamespace(namespace).withName(source.getConfigMap().getName()).get();
                            if (map != null) {
                                writeKeys(target, map.getData() == null ? Map.of() : map.getData(), source.getConfigMap().getItems());
                            }
                        } else if (source.getSecret() != null) {
                            Secret secret = client.secrets().inNamespace(namespace).withName(source.getSecret().getName()).get();
                            if (secret != null) {
                                writeKeys(target, ContainerEnvironment.secretData(secret), source.getSecret().getItems());
                            }
                        } else {
                            throw new ContainerConfigException("volume " + volume.getName()
                                    + ": the process kubelet projects serviceAccountToken, configMap and secret sources only");
                        }
                    }
                } else {
                    throw new ContainerConfigException("volume " + volume.getName()
                            + ": the process kubelet supports emptyDir, secret, configMap and projected volumes only");
                }
                volumes.put(volume.getName(), target);
            }
            if (automountsServiceAccount(client, pod)) {
                Path sa = dir.resolve("serviceaccount");
                Files.createDirectories(sa);
                Files.writeString(sa.resolve("token"), token(client, pod, 3600L));
                Files.writeString(sa.resolve("ca.crt"), caCertificatePem);
                Files.writeString(sa.resolve("namespace"), namespace);
                volumes.put("kube-api-access", sa);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The ServiceAccount admission plugin (off on the test API server) and the kubelet together give a pod
     * its token; here the kubelet does both: unless the pod or its ServiceAccount opts out, a token bound to
     * the pod (TokenRequest) is written with the cluster CA and the namespace.
     */
    private static boolean automountsServiceAccount(KubernetesClient client, Pod pod) {
        if (pod.getSpec().getAutomountServiceAccountToken() != null) {
            return pod.getSpec().getAutomountServiceAccountToken();
        }
        String name = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
        ServiceAccount account = client.serviceAccounts().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
        return account == null || account.getAutomountServiceAccountToken() == null || account.getAutomountServiceAccountToken();
    }

    private static String token(KubernetesClient client, Pod pod, Long expirationSeconds) throws ContainerConfigException {
        String name = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(expirationSeconds == null ? 3600L : Math.max(600L, expirationSeconds))
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).endBoundObjectRef()
                .endSpec()
                .build();
        try {
            return client.serviceAccounts().inNamespace(pod.getMetadata().getNamespace()).withName(name)
                    .tokenRequest(request).getStatus().getToken();
        } catch (RuntimeException e) {
            throw new ContainerConfigException("serviceaccount \"" + name + "\": token request failed: " + e.getMessage());
        }
    }

    private static void writeKeys(Path target, Map<String, String> data, List<KeyToPath> items) throws IOException {
        if (items == null || items.isEmpty()) {
            for (Map.Entry<String, String> e : data.entrySet()) {
                Files.writeString(target.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
            return;
        }
        for (KeyToPath item : items) {
            if (data.containsKey(item.getKey())) {
                Path file = target.resolve(item.getPath());
                Files.createDirectories(file.getParent());
                Files.writeString(file, data.get(item.getKey()), StandardCharsets.UTF_8);
            }
        }
    }

    /** mountPath → this pod's directory for one container, longest first (so nested mounts win). */
    Map<String, Path> mounts(Container container) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        if (container.getVolumeMounts() != null) {
            for (VolumeMount mount : container.getVolumeMounts()) {
                Path source = volumes.get(mount.getName());
                if (source == null) {
                    throw new IllegalStateException("volumeMount " + mount.getName() + " names no volume of the pod");
                }
                mounts.put(trim(mount.getMountPath()),
                        mount.getSubPath() == null || mount.getSubPath().isEmpty() ? source : source.resolve(mount.getSubPath()));
            }
        }
        if (volumes.containsKey("kube-api-access")) {
            mounts.putIfAbsent(SERVICE_ACCOUNT_DIR, volumes.get("kube-api-access"));
        }
        String terminationPath = container.getTerminationMessagePath() == null ? "/dev/termination-log"
                : container.getTerminationMessagePath();
        mounts.put(trim(terminationPath), terminationMessage(container));
        Map<String, Path> sorted = new LinkedHashMap<>();
        mounts.entrySet().stream().sorted(Comparator.comparingInt((Map.Entry<String, Path> e) -> -e.getKey().length()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** Rewrites the mount paths in one value, in one pass (a rewritten path is never rewritten again). */
    static String map(String value, Map<String, Path> mounts) {
        if (mounts.isEmpty()) {
            return value;
        }
        String alternatives = String.join("|", mounts.keySet().stream().map(Pattern::quote).toList());
        Pattern p = Pattern.compile("(^|[=:, ])(" + alternatives + ")(?=/|$|[ ,:])");
        return p.matcher(value).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + mounts.get(m.group(2))));
    }

    private static String trim(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** Removes the pod's directory, keeping its containers' logs ({@link #keptLog}). */
    void delete(List<Container> containers) {
        if (!Files.exists(dir)) {
            return;
        }
        for (Container container : containers) {
            try {
                if (Files.isRegularFile(log(container))) {
                    Files.createDirectories(keptLog(container).getParent());
                    Files.move(log(container), keptLog(container), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            Directories.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
