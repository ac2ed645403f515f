package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.CdcSyncSpec;
import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.KafkaSecuritySpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PostgresTargetSpec;
import dev.orderpipeline.operator.api.SchemaRegistrySpec;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SnowflakeSinkSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one list of Secret keys each workload reads. Validation (does the key exist?), the pods' environment
 * and volumes, and the config hash that rolls the pods are all derived from it, so a new credential is
 * added in one place and cannot be checked but not mounted, or mounted but not hashed.
 */
public final class WorkloadSecrets {
    static final String DBT_PROFILE_FIELD = "spec.dbt.profile";

    private WorkloadSecrets() {
    }

    /** What a loader reads: Kafka credentials and certificates, the registry's, and the warehouse's. */
    public static List<SecretUse> loader(OrderPipelineSpec spec) {
        List<SecretUse> uses = new ArrayList<>();
        KafkaSecuritySpec security = spec.source().security();
        if (security != null) {
            if (security.usesSasl()) {
                addEnv(uses, "spec.source.security.username", security.username(), LoaderEnvironment.KAFKA_SASL_USERNAME);
                addEnv(uses, "spec.source.security.password", security.password(), LoaderEnvironment.KAFKA_SASL_PASSWORD);
            }
            addFile(uses, "spec.source.security.caCertificate", security.caCertificate(),
                    LoaderEnvironment.KAFKA_SSL_CA_FILE, "kafka-ca", "ca.crt");
            addFile(uses, "spec.source.security.clientCertificate", security.clientCertificate(),
                    LoaderEnvironment.KAFKA_SSL_CERTIFICATE_FILE, "kafka-client-cert", "tls.crt");
            addFile(uses, "spec.source.security.clientKey", security.clientKey(),
                    LoaderEnvironment.KAFKA_SSL_KEY_FILE, "kafka-client-key", "tls.key");
        }
        SchemaRegistrySpec registry = spec.source().schemaRegistry();
        if (registry != null) {
            addEnv(uses, "spec.source.schemaRegistry.username", registry.username(),
                    LoaderEnvironment.SCHEMA_REGISTRY_USERNAME);
            addEnv(uses, "spec.source.schemaRegistry.password", registry.password(),
                    LoaderEnvironment.SCHEMA_REGISTRY_PASSWORD);
            addFile(uses, "spec.source.schemaRegistry.caCertificate", registry.caCertificate(),
                    LoaderEnvironment.SCHEMA_REGISTRY_CA_FILE, "schema-registry-ca", "ca.crt");
        }
        snowflake(spec.sink()).ifPresent(snowflake -> addSnowflakeEnv(uses, "spec.sink.snowflake.", snowflake));
        return uses;
    }

    /** What a dbt run reads: the warehouse key as a file, its passphrase, and a replacement profiles.yml. */
    public static List<SecretUse> dbt(OrderPipelineSpec spec) {
        List<SecretUse> uses = new ArrayList<>();
        DbtSpec dbt = spec.dbt();
        if (dbt == null || dbt.image() == null || dbt.image().isBlank()) {
            return uses;
        }
        snowflake(spec.sink()).ifPresent(snowflake -> {
            addFile(uses, "spec.sink.snowflake.privateKey", snowflake.privateKey(), DbtResources.PRIVATE_KEY_PATH,
                    "snowflake-key", "rsa_key.p8");
            addEnv(uses, "spec.sink.snowflake.privateKeyPassphrase", snowflake.privateKeyPassphrase(),
                    DbtResources.PRIVATE_KEY_PASSPHRASE);
        });
        // dbt is told the directory (DBT_PROFILES_DIR), not the file: no variable of its own.
        addFile(uses, DBT_PROFILE_FIELD, dbt.profile(), null, "dbt-profile", "profiles.yml");
        return uses;
    }

    /** Everything an OrderPipeline's pods read, loaders and dbt runs, for checking that the keys exist. */
    public static List<SecretUse> pipeline(OrderPipelineSpec spec) {
        List<SecretUse> uses = new ArrayList<>(loader(spec));
        uses.addAll(dbt(spec));
        return uses;
    }

    /** What a replicator reads: the PostgreSQL login and CA, and the warehouse key of its source. */
    public static List<SecretUse> replicator(CdcSyncSpec spec, Optional<OrderPipeline> referenced) {
        List<SecretUse> uses = new ArrayList<>();
        PostgresTargetSpec target = spec.target();
        addEnv(uses, "spec.target.username", target.username(), ReplicatorEnvironment.POSTGRES_USER);
        addEnv(uses, "spec.target.password", target.password(), ReplicatorEnvironment.POSTGRES_PASSWORD);
        addFile(uses, "spec.target.caCertificate", target.caCertificate(), ReplicatorEnvironment.POSTGRES_SSL_ROOT_CERT_FILE,
                "postgres-ca", "ca.crt");
        if (spec.source().snowflake() != null && spec.source().snowflake().connection() != null) {
            addSnowflakeEnv(uses, "spec.source.snowflake.connection.", spec.source().snowflake().connection());
        } else {
            referenced.ifPresent(pipeline -> snowflake(pipeline.getSpec().sink()).ifPresent(snowflake ->
                    addSnowflakeEnv(uses, "spec.sink.snowflake of OrderPipeline '" + pipeline.getMetadata().getName()
                            + "': ", snowflake)));
        }
        return uses;
    }

    /** The references by the spec field naming them, in the order they are checked. */
    public static Map<String, SecretKeyReference> byField(List<SecretUse> uses) {
        Map<String, SecretKeyReference> refs = new LinkedHashMap<>();
        uses.forEach(use -> refs.putIfAbsent(use.field(), use.reference()));
        return refs;
    }

    /** Variables: a {@code secretKeyRef} per environment use, the file's path per file use that has a variable. */
    public static List<EnvVar> env(List<SecretUse> uses) {
        List<EnvVar> env = new ArrayList<>();
        for (SecretUse use : uses) {
            if (use.variable() == null) {
                continue;
            }
            if (use.asFile()) {
                env.add(new EnvVar(use.variable(), use.file().path(), null));
            } else {
                env.add(new EnvVarBuilder().withName(use.variable())
                        .withNewValueFrom()
                        .withNewSecretKeyRef().withName(use.reference().name()).withKey(use.reference().key())
                        .withOptional(false).endSecretKeyRef()
                        .endValueFrom()
                        .build());
            }
        }
        return env;
    }

    /** One volume per file use: the one key, read-only to the pod's user and group. */
    public static List<Volume> volumes(List<SecretUse> uses) {
        return uses.stream().filter(SecretUse::asFile).map(use -> new VolumeBuilder()
                .withName(use.file().volume())
                .withNewSecret()
                .withSecretName(use.reference().name())
                .addNewItem().withKey(use.reference().key()).withPath(use.file().fileName()).endItem()
                .withDefaultMode(0440)
                .withOptional(false)
                .endSecret()
                .build()).toList();
    }

    public static List<VolumeMount> mounts(List<SecretUse> uses) {
        return uses.stream().filter(SecretUse::asFile).map(use -> new VolumeMountBuilder()
                .withName(use.file().volume())
                .withMountPath(use.file().directory())
                .withReadOnly(true)
                .build()).toList();
    }

    /** The references as hash input: names and keys, never values (the operator does not read them). */
    public static String hashInput(List<SecretUse> uses) {
        StringBuilder text = new StringBuilder();
        uses.stream().map(use -> (use.variable() != null ? use.variable() : use.field()) + "<-" + use.reference().name()
                + '/' + use.reference().key() + (use.asFile() ? "@" + use.file().path() : "") + '\n').sorted()
                .forEach(text::append);
        return text.toString();
    }

    private static void addSnowflakeEnv(List<SecretUse> uses, String prefix, SnowflakeSinkSpec snowflake) {
        addEnv(uses, prefix + "privateKey", snowflake.privateKey(), LoaderEnvironment.SNOWFLAKE_PRIVATE_KEY);
        addEnv(uses, prefix + "privateKeyPassphrase", snowflake.privateKeyPassphrase(),
                LoaderEnvironment.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE);
    }

    private static Optional<SnowflakeSinkSpec> snowflake(SinkSpec sink) {
        return sink != null && sink.type() == SinkSpec.Type.SNOWFLAKE ? Optional.ofNullable(sink.snowflake())
                : Optional.empty();
    }

    private static void addEnv(List<SecretUse> uses, String field, SecretKeyReference ref, String variable) {
        if (ref != null) {
            uses.add(SecretUse.env(field, ref, variable));
        }
    }

    private static void addFile(List<SecretUse> uses, String field, SecretKeyReference ref, String variable,
                                String volume, String fileName) {
        if (ref != null) {
            uses.add(SecretUse.file(field, ref, variable, volume, fileName));
        }
    }
}
