package dev.orderpipeline.operator.cdc;

import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.SinkConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Feeds what a kubelet would give the replicator container (its ConfigMap, literal env and resolved
 * secretKeyRefs) to pipeline-runtime's own {@link CdcConfig} parser.
 */
final class CdcConfigCheck {
    /** {@code postgresSslmode} and {@code postgresSslRootCert} as the runtime hands them to the PostgreSQL driver. */
    record Parsed(String name, String mode, String postgresPassword, String snowflakePrivateKey,
                  Duration cursorLookback, int batchSize, int snapshotBatchSize, String postgresSslmode,
                  String postgresSslRootCert, List<String> undocumentedVariables) {
    }

    private CdcConfigCheck() {
    }

    static Parsed parse(KubernetesClient client, String namespace, Deployment deployment) {
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = new HashMap<>(client.configMaps().inNamespace(namespace)
                .withName(container.getEnvFrom().get(0).getConfigMapRef().getName()).get().getData());
        for (EnvVar var : container.getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            } else if (var.getValueFrom().getSecretKeyRef() != null) {
                env.put(var.getName(), secretValue(client, namespace, var.getValueFrom().getSecretKeyRef()));
            }
        }
        CdcConfig config = CdcConfig.from(new Environment(env));
        Set<String> documented = Arrays.stream(Setting.values()).map(Setting::envName).collect(Collectors.toSet());
        List<String> undocumented = env.keySet().stream().filter(n -> n.startsWith("OPL_"))
                .filter(n -> !documented.contains(n)).sorted().toList();
        String key = config.warehouse() instanceof SinkConfig.Snowflake snowflake ? snowflake.privateKeyPem() : null;
        java.util.Properties driver = config.postgres().connection().properties();
        return new Parsed(config.name(), config.mode().name(), config.postgres().connection().password(), key,
                config.cursorLookback(), config.batchSize(), config.snapshotBatchSize(), driver.getProperty("sslmode"),
                driver.getProperty("sslrootcert"), undocumented);
    }

    private static String secretValue(KubernetesClient client, String namespace, SecretKeySelector ref) {
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret.getStringData() != null && secret.getStringData().containsKey(ref.getKey())) {
            return secret.getStringData().get(ref.getKey());
        }
        return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
    }
}
