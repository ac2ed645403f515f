package dev.orderpipeline.operator.dependent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.TestSyncs;
import dev.orderpipeline.operator.api.CdcSyncSpec;
import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PostgresTargetSpec;
import dev.orderpipeline.operator.api.SchemaRegistrySpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SourceSpec;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The one list of Secret references per workload ({@link WorkloadSecrets}) covers every Secret reference the
 * specs declare: a new {@link SecretKeyReference} field that no workload reads (so is neither checked, mounted
 * nor hashed) fails here. The declared fields are found in the spec classes themselves, not listed by hand.
 */
class WorkloadSecretsTest {
    private static final String TLS = "orders-tls";

    @Test
    void everySecretReferenceAnOrderPipelineDeclaresIsReadByItsLoadersOrItsDbtRuns() {
        Set<String> declared = secretReferences("spec", OrderPipelineSpec.class);

        Set<String> read = new TreeSet<>(WorkloadSecrets.byField(WorkloadSecrets.pipeline(everyReferenceSet())).keySet());

        assertEquals(declared, read, "a spec field holding a Secret reference must be in WorkloadSecrets (and set in "
                + "this test's spec)");
    }

    @Test
    void everySecretReferenceACdcSyncDeclaresIsReadByItsReplicator() {
        Set<String> declared = secretReferences("spec", CdcSyncSpec.class);
        CdcSyncSpec cursor = TestSyncs.snowflakeCursorSpec();
        PostgresTargetSpec t = cursor.target();
        CdcSyncSpec full = new CdcSyncSpec(cursor.source(), cursor.keyColumns(), new PostgresTargetSpec(t.host(), t.port(),
                t.database(), t.schema(), t.table(), t.username(), t.password(), PostgresTargetSpec.SslMode.VERIFY_FULL,
                new SecretKeyReference(TestSyncs.POSTGRES_SECRET, "ca.crt")), cursor.interval(), cursor.batchSize(),
                cursor.deletes(), cursor.state());

        Set<String> read = new TreeSet<>(WorkloadSecrets.byField(WorkloadSecrets.replicator(full, Optional.empty())).keySet());

        assertEquals(declared, read, "a spec field holding a Secret reference must be in WorkloadSecrets (and set in "
                + "this test's spec)");
    }

    /** A Snowflake pipeline over SASL and mutual TLS, with a Schema Registry and a dbt profile: every reference set. */
    private static OrderPipelineSpec everyReferenceSet() {
        OrderPipelineSpec base = TestPipelines.snowflakeSpec();
        SourceSpec source = new SourceSpec("broker.orders.invalid:9093", "orders", null, SourceSpec.Format.AVRO, null,
                new SchemaRegistrySpec("https://registry.example.test", new SecretKeyReference(TLS, "sr-key"),
                        new SecretKeyReference(TLS, "sr-secret"), new SecretKeyReference(TLS, "sr-ca.crt")),
                null, null,
                new KafkaSecuritySpec(KafkaSecuritySpec.Protocol.SASL_SSL, KafkaSecuritySpec.SaslMechanism.SCRAM_SHA_512,
                        new SecretKeyReference(TestPipelines.KAFKA_SECRET, "api-key"),
                        new SecretKeyReference(TestPipelines.KAFKA_SECRET, "api-secret"),
                        new SecretKeyReference(TLS, "ca.crt"), new SecretKeyReference(TLS, "user.crt"),
                        new SecretKeyReference(TLS, "user.key")));
        DbtSpec dbt = new DbtSpec("registry.example/orders-dbt:1.0.0", null, List.of("build"), null, "snowflake",
                new SecretKeyReference("dbt-profile", "profiles.yml"), null);
        return new OrderPipelineSpec(source, base.sink(), base.batch(), base.scaling(), base.deadLetter(), dbt,
                base.monitoring(), base.state());
    }

    /** Paths of the record components of type SecretKeyReference, through the project's own nested spec records. */
    private static Set<String> secretReferences(String path, Class<?> type) {
        Set<String> found = new TreeSet<>();
        for (RecordComponent component : type.getRecordComponents()) {
            String child = path + "." + component.getName();
            Class<?> value = component.getType();
            if (value == SecretKeyReference.class) {
                found.add(child);
            } else if (value.isRecord() && value.getPackageName().equals(SecretKeyReference.class.getPackageName())) {
                found.addAll(secretReferences(child, value));
            }
        }
        return found;
    }
}
