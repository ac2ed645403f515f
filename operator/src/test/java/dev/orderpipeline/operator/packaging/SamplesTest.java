package dev.orderpipeline.operator.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The samples would be accepted by {@code kubectl apply}: each custom resource is checked against the
 * OpenAPI v3 schema of its CRD in crds/ (with kubectl's strict field validation: unknown fields are
 * errors), and the CRD's CEL rules ({@code x-kubernetes-validations}, which a JSON-schema validator
 * does not evaluate) are evaluated here for the rules the CRDs contain; a new rule fails the test
 * until it is taught here.
 */
class SamplesTest {
    private static final String API_VERSION = "orderpipeline.dev/v1alpha1";
    private static final Map<String, JsonNode> SCHEMAS = crdSchemas();

    /** The CEL rules of the CRDs, each with the same check in Java. */
    private static final Map<String, Predicate<JsonNode>> CEL_RULES = Map.of(
            "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
            self -> !self.has("minReplicas") || !self.has("maxReplicas")
                    || self.get("minReplicas").asLong() <= self.get("maxReplicas").asLong(),
            "self.type != 'snowflake' || has(self.snowflake)",
            self -> !"snowflake".equals(self.path("type").asText()) || self.has("snowflake"),
            "has(self.pipelineRef) != has(self.snowflake)",
            self -> self.has("pipelineRef") != self.has("snowflake"),
            "self.metadata.name.size() <= 63",
            self -> self.path("metadata").path("name").asText().length() <= 63,
            "!has(self.deadLetter) || !has(self.deadLetter.topic) || self.deadLetter.topic != self.source.topic",
            self -> !self.path("deadLetter").has("topic")
                    || !self.path("deadLetter").path("topic").asText().equals(self.path("source").path("topic").asText()),
            "self.sink.type != 'duckdb' || !has(self.scaling) || ((!has(self.scaling.mode) "
                    + "|| self.scaling.mode == 'manual') && (!has(self.scaling.replicas) || self.scaling.replicas <= 1) "
                    + "&& (!has(self.scaling.minReplicas) || self.scaling.minReplicas <= 1) "
                    + "&& (!has(self.scaling.maxReplicas) || self.scaling.maxReplicas <= 1))",
            self -> !"duckdb".equals(self.path("sink").path("type").asText()) || !self.has("scaling")
                    || ("manual".equals(self.path("scaling").path("mode").asText("manual"))
                    && self.path("scaling").path("replicas").asInt(0) <= 1
                    && self.path("scaling").path("minReplicas").asInt(0) <= 1
                    && self.path("scaling").path("maxReplicas").asInt(0) <= 1),
            "!has(self.protocol) || !self.protocol.startsWith('SASL') || (has(self.username) && has(self.password))",
            self -> !self.path("protocol").asText("").startsWith("SASL") || (self.has("username") && self.has("password")),
            "!has(self.mode) || self.mode != 'cursor' || has(self.cursorColumn)",
            self -> !"cursor".equals(self.path("mode").asText()) || self.has("cursorColumn"));
    /** The source's formats and the Kafka and registry credentials that go together. */
    private static final Map<String, Predicate<JsonNode>> SOURCE_CEL_RULES = Map.of(
            "!self.url.matches('^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@')",
            self -> !Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@").matcher(self.path("url").asText()).find(),
            "has(self.username) == has(self.password)",
            self -> self.has("username") == self.has("password"),
            "has(self.clientCertificate) == has(self.clientKey)",
            self -> self.has("clientCertificate") == self.has("clientKey"),
            "!(has(self.caCertificate) || has(self.clientCertificate)) || (has(self.protocol) "
                    + "&& self.protocol in ['SSL', 'SASL_SSL'])",
            self -> !(self.has("caCertificate") || self.has("clientCertificate"))
                    || List.of("SSL", "SASL_SSL").contains(self.path("protocol").asText()),
            "!((has(self.format) && self.format in ['avro', 'json_sr', 'protobuf']) || (has(self.keyFormat) "
                    + "&& self.keyFormat in ['avro', 'json_sr', 'protobuf'])) || has(self.schemaRegistry)",
            self -> !(List.of("avro", "json_sr", "protobuf").contains(self.path("format").asText())
                    || List.of("avro", "json_sr", "protobuf").contains(self.path("keyFormat").asText()))
                    || self.has("schemaRegistry"));
    private static final Pattern ALL_MATCH = Pattern.compile("^self\\.all\\((\\w+), \\1\\.matches\\('(.*)'\\)\\)$");

    @Test
    void everyCustomResourceSampleIsAcceptedByItsCrdSchemaAndCelRules() {
        Map<String, List<String>> problems = new TreeMap<>();
        List<String> checked = new ArrayList<>();
        for (Path file : topLevelSamples()) {
            for (JsonNode document : RepositoryFiles.documents(file)) {
                if (!API_VERSION.equals(document.path("apiVersion").asText())) {
                    continue;
                }
                checked.add(file.getFileName() + ": " + document.path("kind").asText());
                List<String> found = validate(document);
                if (!found.isEmpty()) {
                    problems.put(file.getFileName().toString(), found);
                }
            }
        }
        assertEquals(List.of("cdcsync-postgres.yaml: CdcSync", "orderpipeline-confluent-avro.yaml: OrderPipeline",
                "orderpipeline-confluent-protobuf.yaml: OrderPipeline", "orderpipeline-local.yaml: OrderPipeline", "orderpipeline-production.yaml: OrderPipeline",
                "orderpipeline-strimzi-scram.yaml: OrderPipeline"), checked.stream().sorted().toList());
        assertTrue(problems.isEmpty(), "samples rejected by the CRD schema: " + problems);
    }

    @Test
    void theSchemaCheckRejectsWhatTheApiServerWouldReject() {
        JsonNode production = RepositoryFiles.document(RepositoryFiles.samples().resolve("orderpipeline-production.yaml"));
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/sink")).put("tabel", "ORDERS"), "tabel");
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/sink")).put("type", "bigquery"), "/spec/sink/type");
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/source")).remove("topic"), "topic");
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/batch")).put("maxRecords", 0), "maxRecords");
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/source/security/username")).put("name", "Not_A_Secret"), "name");
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/scaling")).put("minReplicas", 20), "minReplicas must not exceed");
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/sink")).remove("snowflake"), "spec.sink.snowflake is required");
        assertRejected(production, p -> ((ArrayNode) p.at("/spec/sink/keyFields")).add("order id"), "key fields");
        assertRejected(production, p -> ((ObjectNode) p.at("/spec/deadLetter")).put("topic", "orders"), "must differ from");
        assertRejected(production, p -> ((ObjectNode) p.at("/metadata")).put("name", "o".repeat(64)), "at most 63 characters");
        JsonNode cdc = RepositoryFiles.document(RepositoryFiles.samples().resolve("cdcsync-postgres.yaml"));
        assertRejected(cdc, c -> ((ObjectNode) c.at("/spec/source")).remove("pipelineRef"), "exactly one of");
        assertRejected(cdc, c -> ((ObjectNode) c.at("/spec/target")).put("sslmode", "prefer"), "/spec/target/sslmode");
    }

    @Test
    void everySecretASampleReferencesHasATemplateWithThatKey() {
        Map<String, Set<String>> templates = new HashMap<>();
        for (Path file : secretTemplates()) {
            JsonNode secret = RepositoryFiles.document(file);
            Set<String> keys = new TreeSet<>();
            secret.path("stringData").fieldNames().forEachRemaining(keys::add);
            templates.put(secret.at("/metadata/name").asText(), keys);
        }
        Set<String> references = new TreeSet<>();
        for (Path file : topLevelSamples()) {
            for (JsonNode document : RepositoryFiles.documents(file)) {
                collectSecretReferences(document.path("spec"), references);
            }
        }
        assertEquals(Set.of("confluent-cloud-orders/api-key", "confluent-cloud-orders/api-secret",
                "confluent-schema-registry/api-key", "confluent-schema-registry/api-secret",
                "dbt-snowflake-profile/profiles.yml", "postgres-analytics/password", "postgres-analytics/username",
                "snowflake-orderpipeline/passphrase", "snowflake-orderpipeline/rsa_key.p8",
                "strimzi-orders-user/ca.crt", "strimzi-orders-user/password", "strimzi-orders-user/username"), references);
        for (String reference : references) {
            String[] parts = reference.split("/", 2);
            assertTrue(templates.getOrDefault(parts[0], Set.of()).contains(parts[1]),
                    "samples/secrets/ has no Secret " + parts[0] + " with key " + parts[1]);
        }
    }

    @Test
    void secretTemplatesHoldOnlyPlaceholdersAndStayOutOfTheSyncedFolder() {
        List<Path> templates = secretTemplates();
        assertFalse(templates.isEmpty());
        for (Path file : templates) {
            JsonNode secret = RepositoryFiles.document(file);
            assertEquals("Secret", secret.path("kind").asText(), file.toString());
            assertTrue(secret.path("data").isMissingNode(), file + ": placeholders go in stringData, readable");
            secret.path("stringData").fields().forEachRemaining(entry -> assertTrue(
                    entry.getValue().asText().contains("REPLACE_ME"), file + ": " + entry.getKey() + " is a placeholder"));
        }
        for (Path file : topLevelSamples()) {
            for (JsonNode document : RepositoryFiles.documents(file)) {
                assertFalse("Secret".equals(document.path("kind").asText()), file + " would sync a Secret");
            }
        }
    }

    @Test
    void argoCdApplicationSyncsOnlyTheTopLevelOfSamplesWithServerSideApply() {
        JsonNode application = RepositoryFiles.document(RepositoryFiles.samples().resolve("argocd/application.yaml"));
        assertEquals("argoproj.io/v1alpha1", application.path("apiVersion").asText());
        assertEquals("Application", application.path("kind").asText());
        assertEquals("samples", application.at("/spec/source/path").asText());
        assertFalse(application.at("/spec/source/directory/recurse").asBoolean(true), "secrets/ and argocd/ are not synced");
        Set<String> options = new TreeSet<>();
        application.at("/spec/syncPolicy/syncOptions").forEach(o -> options.add(o.asText()));
        assertTrue(options.contains("ServerSideApply=true"), "server-side apply: " + options);
        assertTrue(application.at("/spec/syncPolicy/automated/selfHeal").asBoolean());
    }

    @Test
    void productionSampleShowsConfluentCloudSnowflakeKeyPairDatadogScalingAndAScheduledDbt() {
        JsonNode spec = RepositoryFiles.document(RepositoryFiles.samples().resolve("orderpipeline-production.yaml")).path("spec");
        assertEquals("SASL_SSL", spec.at("/source/security/protocol").asText());
        assertEquals("PLAIN", spec.at("/source/security/saslMechanism").asText());
        assertEquals("snowflake", spec.at("/sink/type").asText());
        assertEquals("rsa_key.p8", spec.at("/sink/snowflake/privateKey/key").asText());
        assertTrue(spec.at("/monitoring/datadog/enabled").asBoolean());
        assertFalse(spec.at("/monitoring/datadog/tags").isEmpty());
        assertEquals("lag", spec.at("/scaling/mode").asText());
        assertFalse(spec.at("/dbt/schedule").asText().isBlank());
        JsonNode local = RepositoryFiles.document(RepositoryFiles.samples().resolve("orderpipeline-local.yaml")).path("spec");
        assertEquals("duckdb", local.at("/sink/type").asText());
        assertTrue(local.at("/source/security").isMissingNode(), "the local sample needs no Secret");
    }

    @Test
    void confluentFormatSamplesReadThroughTheSchemaRegistryWithItsApiKeyFromASecret() {
        for (String sample : List.of("orderpipeline-confluent-avro.yaml", "orderpipeline-confluent-protobuf.yaml")) {
            JsonNode source = RepositoryFiles.document(RepositoryFiles.samples().resolve(sample)).at("/spec/source");
            assertEquals(sample.contains("avro") ? "avro" : "protobuf", source.path("format").asText(), sample);
            JsonNode registry = source.path("schemaRegistry");
            assertTrue(registry.path("url").asText().startsWith("https://")
                    && !registry.path("url").asText().contains("@"), sample + ": no credentials in the URL");
            assertEquals("confluent-schema-registry/api-key", registry.at("/username/name").asText() + "/"
                    + registry.at("/username/key").asText(), sample);
            assertEquals("confluent-schema-registry/api-secret", registry.at("/password/name").asText() + "/"
                    + registry.at("/password/key").asText(), sample);
        }
        JsonNode protobuf = RepositoryFiles.document(RepositoryFiles.samples().resolve("orderpipeline-confluent-protobuf.yaml"));
        assertRejected(protobuf, p -> ((ObjectNode) p.at("/spec/source")).remove("schemaRegistry"),
                "spec.source.schemaRegistry is required");
        assertRejected(protobuf, p -> ((ObjectNode) p.at("/spec/source/schemaRegistry")).remove("password"),
                "username and password go together");
        assertRejected(protobuf, p -> ((ObjectNode) p.at("/spec/source/schemaRegistry"))
                .put("url", "https://KEY:SECRET@psrc-xxxxx.us-east-2.aws.confluent.cloud"), "must not carry credentials");
    }

    private static void assertRejected(JsonNode sample, Consumer<ObjectNode> change, String expected) {
        ObjectNode changed = sample.deepCopy();
        change.accept(changed);
        List<String> problems = validate(changed);
        assertFalse(problems.isEmpty(), "accepted although it should not be (" + expected + ")");
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "problems name " + expected + ": " + problems);
    }

    /** Schema errors and failed CEL rules of one custom resource. */
    static List<String> validate(JsonNode resource) {
        String kind = resource.path("kind").asText();
        JsonNode openApi = SCHEMAS.get(kind);
        if (openApi == null) {
            return List.of("no CRD for kind " + kind);
        }
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(strict(openApi, kind));
        List<String> problems = new ArrayList<>();
        schema.validate(resource).forEach(error -> problems.add(error.toString()));
        evaluateCel(openApi, resource, "", problems);
        return problems;
    }

    /**
     * The CRD schema as kubectl's strict field validation applies it: an object that lists its
     * properties and neither preserves unknown fields nor declares additionalProperties rejects any
     * other field; apiVersion, kind and metadata are implicit at the root.
     */
    private static JsonNode strict(JsonNode openApi, String kind) {
        ObjectNode root = openApi.deepCopy();
        closeObjects(root);
        ObjectNode properties = (ObjectNode) root.path("properties");
        properties.putObject("apiVersion").put("type", "string").set("enum",
                JsonNodeFactory.instance.arrayNode().add(API_VERSION));
        properties.putObject("kind").put("type", "string").set("enum", JsonNodeFactory.instance.arrayNode().add(kind));
        ObjectNode metadata = properties.putObject("metadata");
        metadata.put("type", "object");
        metadata.putArray("required").add("name");
        metadata.putObject("properties").putObject("name").put("type", "string")
                .put("pattern", "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
        ((ArrayNode) root.withArray("required")).add("apiVersion").add("kind").add("metadata");
        return root;
    }

    private static void closeObjects(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            object.properties().forEach(entry -> {
                if (!entry.getKey().equals("enum") && !entry.getKey().equals("x-kubernetes-validations")) {
                    closeObjects(entry.getValue());
                }
            });
        }
    }

    private static void evaluateCel(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return;
        }
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            String rule = validation.path("rule").asText();
            if (!celRule(rule).test(value)) {
                problems.add((path.isEmpty() ? "<root>" : path) + ": " + validation.path("message").asText(rule));
            }
        }
        if (schema.has("properties") && value.isObject()) {
            schema.path("properties").properties().forEach(entry ->
                    evaluateCel(entry.getValue(), value.get(entry.getKey()), path + "." + entry.getKey(), problems));
        }
        if (schema.has("items") && value.isArray()) {
            int i = 0;
            for (JsonNode element : value) {
                evaluateCel(schema.get("items"), element, path + "[" + i++ + "]", problems);
            }
        }
        if (schema.path("additionalProperties").isObject() && value.isObject()) {
            value.properties().forEach(entry ->
                    evaluateCel(schema.get("additionalProperties"), entry.getValue(), path + "." + entry.getKey(), problems));
        }
    }

    private static Predicate<JsonNode> celRule(String rule) {
        Predicate<JsonNode> known = CEL_RULES.getOrDefault(rule, SOURCE_CEL_RULES.get(rule));
        if (known != null) {
            return known;
        }
        Matcher all = ALL_MATCH.matcher(rule);
        if (all.matches()) {
            Pattern pattern = Pattern.compile(all.group(2));
            return self -> {
                for (JsonNode element : self) {
                    if (!pattern.matcher(element.asText()).find()) {
                        return false;
                    }
                }
                return true;
            };
        }
        throw new AssertionError("the CRDs have a CEL rule SamplesTest cannot evaluate yet; add it to CEL_RULES: " + rule);
    }

    /** {name, key} objects: the shape of every Secret key reference in the CRDs. */
    private static void collectSecretReferences(JsonNode node, Set<String> references) {
        if (node.isObject()) {
            Set<String> fields = new TreeSet<>();
            node.fieldNames().forEachRemaining(fields::add);
            if (fields.equals(Set.of("key", "name"))) {
                references.add(node.get("name").asText() + "/" + node.get("key").asText());
                return;
            }
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collectSecretReferences(it.next(), references);
            }
        } else if (node.isArray()) {
            node.forEach(element -> collectSecretReferences(element, references));
        }
    }

    private static Map<String, JsonNode> crdSchemas() {
        Map<String, JsonNode> schemas = new HashMap<>();
        try (Stream<Path> files = Files.list(RepositoryFiles.crds())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
                JsonNode crd = RepositoryFiles.document(file);
                for (JsonNode version : crd.at("/spec/versions")) {
                    if (version.path("storage").asBoolean()
                            && API_VERSION.equals(crd.at("/spec/group").asText() + "/" + version.path("name").asText())) {
                        schemas.put(crd.at("/spec/names/kind").asText(), version.at("/schema/openAPIV3Schema"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return schemas;
    }

    private static List<Path> topLevelSamples() {
        return yamlFiles(RepositoryFiles.samples());
    }

    private static List<Path> secretTemplates() {
        return yamlFiles(RepositoryFiles.samples().resolve("secrets"));
    }

    private static List<Path> yamlFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
