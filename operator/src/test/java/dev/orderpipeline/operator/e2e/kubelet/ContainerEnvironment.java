package dev.orderpipeline.operator.e2e.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it when the container starts: {@code envFrom} first,
 * then {@code env} in order (later wins), {@code $(VAR)} expanded from what is defined before, Secret
 * and ConfigMap references read at start (a changed Secret reaches a container only when it restarts,
 * as on a real node), downward-API field references, and the {@code KUBERNETES_SERVICE_*} variables.
 */
final class ContainerEnvironment {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");
    private static final Pattern LABEL_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private ContainerEnvironment() {
    }

    static Map<String, String> resolve(KubernetesClient client, Pod pod, Container container, String podIP,
                                       String hostIP, String apiServerHost, int apiServerPort)
            throws ContainerConfigException {
        String namespace = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBERNETES_SERVICE_HOST", apiServerHost);
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(apiServerPort));
        env.put("HOSTNAME", pod.getMetadata().getName());
        if (container.getEnvFrom() != null) {
            for (EnvFromSource from : container.getEnvFrom()) {
                String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                if (from.getConfigMapRef() != null) {
                    ConfigMap map = client.configMaps().inNamespace(namespace).withName(from.getConfigMapRef().getName()).get();
                    if (map == null) {
                        if (!Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                            throw new ContainerConfigException("configmap \"" + from.getConfigMapRef().getName() + "\" not found");
                        }
                    } else if (map.getData() != null) {
                        map.getData().forEach((k, v) -> env.put(prefix + k, v));
                    }
                }
                if (from.getSecretRef() != null) {
                    Secret secret = client.secrets().inNamespace(namespace).withName(from.getSecretRef().getName()).get();
                    if (secret == null) {
                        if (!Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                            throw new ContainerConfigException("secret \"" + from.getSecretRef().getName() + "\" not found");
                        }
                    } else {
                        secretData(secret).forEach((k, v) -> env.put(prefix + k, v));
                    }
                }
            }
        }
        if (container.getEnv() != null) {
            for (EnvVar variable : container.getEnv()) {
                String value = variable.getValueFrom() == null
                        ? expand(variable.getValue() == null ? "" : variable.getValue(), env)
                        : valueFrom(client, pod, variable, podIP, hostIP);
                if (value != null) {
                    env.put(variable.getName(), value);
                }
            }
        }
        return env;
    }

    /** {@code $(VAR)} of a variable defined before; {@code $$} is a literal {@code $}; unknown ones stay as written. */
    static String expand(String value, Map<String, String> defined) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) == null ? "$" : defined.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String valueFrom(KubernetesClient client, Pod pod, EnvVar variable, String podIP, String hostIP)
            throws ContainerConfigException {
        EnvVarSource source = variable.getValueFrom();
        String namespace = pod.getMetadata().getNamespace();
        if (source.getSecretKeyRef() != null) {
            var ref = source.getSecretKeyRef();
            Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            if (secret == null) {
                if (optional) {
                    return null;
                }
                throw new ContainerConfigException("secret \"" + ref.getName() + "\" not found");
            }
            String value = secretData(secret).get(ref.getKey());
            if (value == null && !optional) {
                throw new ContainerConfigException("couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
            }
            return value;
        }
        if (source.getConfigMapKeyRef() != null) {
            var ref = source.getConfigMapKeyRef();
            ConfigMap map = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            if (map == null) {
                if (optional) {
                    return null;
                }
                throw new ContainerConfigException("configmap \"" + ref.getName() + "\" not found");
            }
            String value = map.getData() == null ? null : map.getData().get(ref.getKey());
            if (value == null && !optional) {
                throw new ContainerConfigException("couldn't find key " + ref.getKey() + " in ConfigMap " + namespace + "/" + ref.getName());
            }
            return value;
        }
        if (source.getFieldRef() != null) {
            return field(pod, source.getFieldRef(), podIP, hostIP);
        }
        throw new ContainerConfigException("env " + variable.getName() + ": only secretKeyRef, configMapKeyRef and fieldRef are "
                + "supported by the process kubelet (resourceFieldRef is not)");
    }

    static String field(Pod pod, ObjectFieldSelector selector, String podIP, String hostIP) throws ContainerConfigException {
        String path = selector.getFieldPath();
        Matcher labelOrAnnotation = LABEL_FIELD.matcher(path);
        if (labelOrAnnotation.matches()) {
            Map<String, String> values = "labels".equals(labelOrAnnotation.group(1))
                    ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
            return values == null ? "" : values.getOrDefault(labelOrAnnotation.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
            case "status.podIP", "status.podIPs" -> podIP;
            case "status.hostIP", "status.hostIPs" -> hostIP;
            default -> throw new ContainerConfigException("fieldRef " + path + " is not supported by the process kubelet");
        };
    }

    static Map<String, String> secretData(Secret secret) {
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }
}
