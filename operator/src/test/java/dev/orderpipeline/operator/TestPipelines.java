package dev.orderpipeline.operator;

import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.operator.api.DatadogSpec;
import dev.orderpipeline.operator.api.DeadLetterSpec;
import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.MonitoringSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.ScalingSpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SnowflakeSinkSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;

/** Resources the tests apply: a Confluent Cloud topic loaded into Snowflake, with its Secrets. */
public final class TestPipelines {
    public static final String KAFKA_SECRET = "confluent-api-key";
    public static final String SNOWFLAKE_SECRET = "snowflake-key";
    /** Values that must never appear anywhere but in the Secrets themselves. */
    public static final String API_KEY = "APIKEY7Q3ZK";
    public static final String API_SECRET = "apisecret-9f8e7d6c5b4a";
    public static final String PASSPHRASE = "passphrase-0a1b2c3d";
    /** A real key, encrypted with {@link #PASSPHRASE}: the runtime reads the key at start-up and refuses a fake one. */
    public static final String PRIVATE_KEY = SnowflakeKeyPair.pem(PASSPHRASE).strip();

    private TestPipelines() {
    }

    public static OrderPipelineSpec snowflakeSpec() {
        return new OrderPipelineSpec(
                new SourceSpec("broker.orders.invalid:9092", "orders", null,
                        SourceSpec.Format.JSON, SourceSpec.StartPosition.EARLIEST, SourceSpec.OffsetReset.EARLIEST,
                        new KafkaSecuritySpec(KafkaSecuritySpec.Protocol.SASL_SSL, KafkaSecuritySpec.SaslMechanism.PLAIN,
                                new SecretKeyReference(KAFKA_SECRET, "api-key"),
                                new SecretKeyReference(KAFKA_SECRET, "api-secret"))),
                new SinkSpec(SinkSpec.Type.SNOWFLAKE, "ORDERS", List.of("orderid"),
                        new SnowflakeSinkSpec("myorg-myaccount", null, "LOADER", "LOADER_ROLE", "LOAD_WH", "RAW",
                                "KAFKA", new SecretKeyReference(SNOWFLAKE_SECRET, "rsa_key.p8"),
                                new SecretKeyReference(SNOWFLAKE_SECRET, "passphrase")),
                        null),
                null,
                new ScalingSpec(ScalingSpec.Mode.MANUAL, 2, 1, 4, null, null),
                new DeadLetterSpec("orders-dlq", DeadLetterSpec.ErrorTolerance.ALL),
                null,
                new MonitoringSpec(new DatadogSpec(true, "prod", "orders-loader", null, Map.of("team", "data"))),
                PipelineState.RUNNING);
    }

    public static OrderPipeline pipeline(String namespace, String name, OrderPipelineSpec spec) {
        OrderPipeline pipeline = new OrderPipeline();
        pipeline.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        pipeline.setSpec(spec);
        return pipeline;
    }

    public static List<Secret> secrets(String namespace) {
        return List.of(
                new SecretBuilder().withNewMetadata().withName(KAFKA_SECRET).withNamespace(namespace).endMetadata()
                        .withStringData(Map.of("api-key", API_KEY, "api-secret", API_SECRET)).build(),
                new SecretBuilder().withNewMetadata().withName(SNOWFLAKE_SECRET).withNamespace(namespace).endMetadata()
                        .withStringData(Map.of("rsa_key.p8", PRIVATE_KEY, "passphrase", PASSPHRASE)).build());
    }

    public static List<String> secretValues() {
        return List.of(API_KEY, API_SECRET, PRIVATE_KEY, PASSPHRASE, PRIVATE_KEY.lines().skip(1).findFirst().orElseThrow());
    }
}
