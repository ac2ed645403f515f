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
import io.fabric8.kubernetes.api.model.Secret;
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
