package dev.orderpipeline.operator.dependent;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.operator.SharedOperatorTest;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.SchemaRegistrySpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Files;
import java.nio.file.Path;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The environment the operator renders is pipeline-runtime's documented contract: the runtime's own
 * parser ({@link LoaderConfig#from}) must accept it, with the Secret values a kubelet would inject.
 */
class RenderedEnvironmentContractTest extends SharedOperatorTest {
    private static final String TLS_SECRET = "kafka-tls";
    private static final String CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBCA==\n-----END CERTIFICATE-----";
    private static final String CERT_PEM = "-----BEGIN CERTIFICATE-----\nMIIBCB==\n-----END CERTIFICATE-----";
    private static final String KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQ==\n-----END PRIVATE KEY-----";

    @Test
    void snowflakePipelineEnvironmentParsesWithTheRuntimesOwnConfigurationParser() {
        String namespace = harness.newNamespace("contract");
        Map<String, String> env = renderedEnvironment(namespace, TestPipelines.snowflakeSpec());

        LoaderConfig config = LoaderConfig.from(new Environment(env));

        assertEquals(namespace + ".orders", config.pipelineName());
        assertEquals("orders", config.source().topic());
        assertEquals(TestPipelines.API_KEY, config.source().credentials().orElseThrow().username());
        assertEquals(TestPipelines.API_SECRET, config.source().credentials().orElseThrow().password());
        SinkConfig.Snowflake sink = assertInstanceOf(SinkConfig.Snowflake.class, config.sink());
        assertEquals("RAW", sink.database().name());
        assertEquals(TestPipelines.PRIVATE_KEY, sink.privateKeyPem());
        assertEquals(TestPipelines.PASSPHRASE, sink.privateKeyPassphrase().orElseThrow());
        assertEquals("orders-dlq", config.deadLetterTopic().orElseThrow());
        assertEquals(LoaderConfig.ErrorTolerance.ALL, config.errorTolerance());
        assertEquals(KafkaSourceConfig.OffsetReset.EARLIEST, config.source().offsetReset());
    }

    @Test
    void minimalDuckDbPipelineWithoutDeadLetterTopicParsesAndStopsAtTheFirstBadRecord() {
        String namespace = harness.newNamespace("contract");
        OrderPipelineSpec minimal = new OrderPipelineSpec(
                new SourceSpec("kafka:9092", "orders", null, null, null, null, null),
                new SinkSpec(SinkSpec.Type.DUCKDB, null, null, null, null),
                null, null, null, null, null, PipelineState.RUNNING);
        Map<String, String> env = renderedEnvironment(namespace, minimal);

        LoaderConfig config = LoaderConfig.from(new Environment(env));

        assertEquals(LoaderConfig.ErrorTolerance.NONE, config.errorTolerance());
        SinkConfig.DuckDb sink = assertInstanceOf(SinkConfig.DuckDb.class, config.sink());
        assertTrue(sink.path().startsWith(LoaderEnvironment.DATA_DIR), sink.path());
    }

    @Test
    void everyVariableTheOperatorRendersIsOneTheRuntimeDocuments() {
        String namespace = harness.newNamespace("contract");
        Map<String, String> env = renderedEnvironment(namespace, TestPipelines.snowflakeSpec());
        Set<String> documented = Arrays.stream(Setting.values()).map(Setting::envName).collect(Collectors.toSet());

        Set<String> unknown = env.keySet().stream().filter(name -> name.startsWith("OPL_"))
                .filter(name -> !documented.contains(name)).collect(Collectors.toSet());

        assertEquals(Set.of(), unknown, "variables the runtime does not read");
        Set<String> secretSettings = Arrays.stream(Setting.values()).filter(Setting::secret).map(Setting::envName)
                .collect(Collectors.toSet());
        ConfigMap config = client.configMaps().inNamespace(namespace).withName("orders-loader-config").get();
        assertTrue(config.getData().keySet().stream().noneMatch(secretSettings::contains),
                "a secret setting is in the ConfigMap");
    }

    @Test
    void aSchemaRegistryTopicOverMutualTlsGetsCertificatesAsFilesAndCredentialsAsSecretReferences() throws Exception {
        String namespace = harness.newNamespace("contract");
        client.resource(new SecretBuilder().withNewMetadata().withName(TLS_SECRET).withNamespace(namespace).endMetadata()
                .withStringData(Map.of("ca.crt", CA_PEM, "user.crt", CERT_PEM, "user.key", KEY_PEM,
                        "sr-key", "SRKEY", "sr-secret", "sr-secret-value")).build()).create();
        OrderPipelineSpec spec = tlsSpec();

        Map<String, String> env = renderedEnvironment(namespace, spec);

        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName("orders-loader").get();
        Set<String> mounts = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts().stream()
                .map(VolumeMount::getMountPath).collect(Collectors.toSet());
        assertTrue(mounts.containsAll(Set.of(SecretUse.SECRETS_DIR + "/kafka-ca", SecretUse.SECRETS_DIR + "/kafka-client-cert",
                SecretUse.SECRETS_DIR + "/kafka-client-key", SecretUse.SECRETS_DIR + "/schema-registry-ca")), mounts.toString());
        assertEquals(SecretUse.SECRETS_DIR + "/kafka-ca/ca.crt", env.get(LoaderEnvironment.KAFKA_SSL_CA_FILE));
        assertEquals("avro", env.get(LoaderEnvironment.KAFKA_VALUE_FORMAT));
        assertEquals("https://registry.example.test", env.get(LoaderEnvironment.SCHEMA_REGISTRY_URL));
        assertEquals("SRKEY", env.get(LoaderEnvironment.SCHEMA_REGISTRY_USERNAME), "from the Secret, by reference");
        assertTrue(deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).allMatch(v -> v.getSecret().getDefaultMode() == 0440));

        // The files where a kubelet would mount them; the runtime's own parser reads them.
        Path mounted = Files.createTempDirectory("secrets");
        Map<String, String> materialized = new HashMap<>();
        for (Map.Entry<String, String> var : env.entrySet()) {
            String value = var.getValue();
            if (value.startsWith(SecretUse.SECRETS_DIR + "/")) {
                Path file = mounted.resolve(value.substring(SecretUse.SECRETS_DIR.length() + 1));
                Files.createDirectories(file.getParent());
                String key = Map.of("kafka-ca", "ca.crt", "kafka-client-cert", "user.crt", "kafka-client-key", "user.key",
                        "schema-registry-ca", "ca.crt").get(file.getParent().getFileName().toString());
                Files.writeString(file, Map.of("ca.crt", CA_PEM, "user.crt", CERT_PEM, "user.key", KEY_PEM).get(key));
                value = file.toString();
            }
            materialized.put(var.getKey(), value);
        }
        LoaderConfig config = LoaderConfig.from(new Environment(materialized));

        assertEquals("SCRAM-SHA-512", config.source().saslMechanism());
        assertTrue(config.source().tls().mutual());
        assertEquals(KEY_PEM, config.source().tls().privateKey().orElseThrow());
    }

    @Test
    void changingAReferencedSecretsContentRollsTheLoaderPods() {
        String namespace = harness.newNamespace("contract");
        renderedEnvironment(namespace, TestPipelines.snowflakeSpec());
        String before = podTemplateAnnotation(namespace, SecretVersions.ANNOTATION);
        assertTrue(before != null && !before.isEmpty(), "the Secrets' versions are on the pod template");

        Secret secret = client.secrets().inNamespace(namespace).withName(TestPipelines.KAFKA_SECRET).get();
        secret.setStringData(Map.of("api-key", TestPipelines.API_KEY, "api-secret", "rotated-secret-value"));
        client.resource(secret).update();

        await().atMost(WAIT).until(() -> !before.equals(podTemplateAnnotation(namespace, SecretVersions.ANNOTATION)));
        String configHash = podTemplateAnnotation(namespace, LoaderResources.CONFIG_HASH_ANNOTATION);
        assertEquals(LoaderEnvironment.configHash(client.resources(dev.orderpipeline.operator.api.OrderPipeline.class)
                .inNamespace(namespace).withName("orders").get()), configHash, "the spec did not change, the Secret did");
    }

    private static String podTemplateAnnotation(String namespace, String annotation) {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName("orders-loader").get();
        return deployment.getSpec().getTemplate().getMetadata().getAnnotations().get(annotation);
    }

    private static OrderPipelineSpec tlsSpec() {
        OrderPipelineSpec base = TestPipelines.snowflakeSpec();
        SourceSpec source = new SourceSpec("broker.orders.invalid:9093", "orders", null, SourceSpec.Format.AVRO,
                SourceSpec.Format.STRING,
                new SchemaRegistrySpec("https://registry.example.test", new SecretKeyReference(TLS_SECRET, "sr-key"),
                        new SecretKeyReference(TLS_SECRET, "sr-secret"), new SecretKeyReference(TLS_SECRET, "ca.crt")),
                null, null,
                new KafkaSecuritySpec(KafkaSecuritySpec.Protocol.SASL_SSL, KafkaSecuritySpec.SaslMechanism.SCRAM_SHA_512,
                        new SecretKeyReference(TestPipelines.KAFKA_SECRET, "api-key"),
                        new SecretKeyReference(TestPipelines.KAFKA_SECRET, "api-secret"),
                        new SecretKeyReference(TLS_SECRET, "ca.crt"), new SecretKeyReference(TLS_SECRET, "user.crt"),
                        new SecretKeyReference(TLS_SECRET, "user.key")));
        return new OrderPipelineSpec(source, base.sink(), base.batch(), base.scaling(), base.deadLetter(), base.dbt(),
                base.monitoring(), base.state());
    }

    /** What a kubelet would give the loader container: the ConfigMap, literal env and resolved secretKeyRefs. */
    private static Map<String, String> renderedEnvironment(String namespace, OrderPipelineSpec spec) {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(pipeline(namespace, "orders", spec)).create();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                client.apps().deployments().inNamespace(namespace).withName("orders-loader").get() != null);
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName("orders-loader").get();
        Container loader = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = new HashMap<>();
        String configMapName = loader.getEnvFrom().get(0).getConfigMapRef().getName();
        env.putAll(client.configMaps().inNamespace(namespace).withName(configMapName).get().getData());
        for (EnvVar var : loader.getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            } else if (var.getValueFrom().getSecretKeyRef() != null) {
                env.put(var.getName(), secretValue(namespace, var.getValueFrom().getSecretKeyRef()));
            }
        }
        return env;
    }

    private static String secretValue(String namespace, SecretKeySelector ref) {
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret.getStringData() != null && secret.getStringData().containsKey(ref.getKey())) {
            return secret.getStringData().get(ref.getKey());
        }
        return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
    }
}
