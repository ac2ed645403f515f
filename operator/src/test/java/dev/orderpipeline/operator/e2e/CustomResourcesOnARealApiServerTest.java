package dev.orderpipeline.operator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs and the samples against a real kube-apiserver: what users and Argo CD see when they apply
 * them. The operator does not run here (nothing in these namespaces is reconciled), so the samples are
 * applied exactly as shipped, real-looking Kafka and Snowflake endpoints included.
 */
@Tag("e2e")
@ExtendWith(ApiServerExtension.class)
class CustomResourcesOnARealApiServerTest {
    private static final String SAMPLES_NS = "opl-e2e-samples";
    private static final String INVALID_NS = "opl-e2e-invalid";

    @BeforeAll
    static void installCrds(ApiServer api) {
        Manifests.installCrds(api);
        Manifests.namespaceWithSampleSecrets(api, SAMPLES_NS);
        Manifests.namespaceWithSampleSecrets(api, INVALID_NS);
    }

    @Test
    void theGeneratedCrdsInstallWithStructuralSchemasAndServeTheNamesOfTheDesign(ApiServer api) {
        // crds/ (what users install) is installed by installCrds; the build's own output must install as well.
        String generated = System.getProperty("crds.generated.dir");
        if (generated != null) {
            for (String name : Manifests.CRD_NAMES) {
                api.kubectl().ok("apply", "--server-side", "--dry-run=server", "--field-manager=opl-e2e",
                        "-f", Path.of(generated, name + "-v1.yml").toString());
            }
        }
        for (String name : Manifests.CRD_NAMES) {
            CustomResourceDefinition crd = api.client().apiextensions().v1().customResourceDefinitions()
                    .withName(name).get();
            crd.getStatus().getConditions().forEach(c -> {
                if (c.getType().equals("NonStructuralSchema") || c.getType().equals("KubernetesAPIApprovalPolicyConformant")) {
                    assertFalse("True".equals(c.getStatus()), name + ": " + c.getType() + ": " + c.getMessage());
                }
            });
        }
        Kubectl.Result resources = api.kubectl().ok("api-resources", "--api-group=orderpipeline.dev", "-o", "wide");
        String out = resources.stdout();
        assertTrue(out.matches("(?s).*orderpipelines\\s+opl\\s+orderpipeline\\.dev/v1alpha1\\s+true\\s+OrderPipeline.*"),
                resources.describe());
        assertTrue(out.matches("(?s).*cdcsyncs\\s+cdc\\s+orderpipeline\\.dev/v1alpha1\\s+true\\s+CdcSync.*"),
                resources.describe());
        assertTrue(out.lines().filter(l -> l.contains("orderpipeline.dev")).allMatch(l -> l.contains("orderpipeline")),
                "both kinds are in the category orderpipeline:\n" + out);
        // The scale subresource is discoverable (kubectl scale and the HPA find it this way).
        Kubectl.Result raw = api.kubectl().ok("get", "--raw", "/apis/orderpipeline.dev/v1alpha1");
        assertTrue(raw.stdout().contains("\"orderpipelines/scale\""), raw.describe());
        assertTrue(raw.stdout().contains("\"orderpipelines/status\""), raw.describe());
        assertTrue(raw.stdout().contains("\"cdcsyncs/status\""), raw.describe());
    }

    @TestFactory
    Stream<DynamicTest> everySampleAppliesServerSideAndReapplyingChangesNothing(ApiServer api) {
        List<Path> samples = Manifests.samples();
        assertFalse(samples.isEmpty(), "no samples found");
        return samples.stream().map(sample -> DynamicTest.dynamicTest(
                "sample " + sample.getFileName() + " applies server-side and re-applying it changes nothing", () -> {
                    Kubectl kubectl = api.kubectl();
                    Kubectl.Result first = kubectl.ok("apply", "--server-side", "-n", SAMPLES_NS, "-f", sample.toString());
                    assertTrue(first.stdout().contains("serverside-applied"), first.describe());
                    ObjectNode doc = Manifests.read(sample);
                    String ref = doc.get("kind").asText().toLowerCase(Locale.ROOT) + ".orderpipeline.dev/"
                            + doc.at("/metadata/name").asText();
                    String before = resourceVersion(api, SAMPLES_NS, ref);

                    Kubectl.Result diff = kubectl.run("diff", "--server-side", "-n", SAMPLES_NS, "-f", sample.toString());
                    assertEquals(0, diff.exitCode(), "kubectl diff --server-side shows a change after applying:\n"
                            + diff.describe());
                    assertEquals("", diff.stdout().strip(), diff.describe());

                    Kubectl.Result second = kubectl.ok("apply", "--server-side", "-n", SAMPLES_NS, "-f", sample.toString());
                    assertTrue(second.stdout().contains("serverside-applied"), second.describe());
                    assertEquals(before, resourceVersion(api, SAMPLES_NS, ref),
                            "re-applying " + sample.getFileName() + " wrote the object again (resourceVersion changed)");
                    // The applied object kept every field of the file (nothing pruned or rewritten by the schema).
                    JsonNode live = Manifests.JSON.readTree(kubectl.ok("get", "-n", SAMPLES_NS, ref, "-o", "json").stdout());
                    assertEquals(doc.get("spec"), live.get("spec"), "the spec the API server stored differs from "
                            + sample.getFileName() + " (a field unknown to the schema is pruned)");
                }));
    }

    private static String resourceVersion(ApiServer api, String namespace, String ref) {
        return api.kubectl().ok("get", "-n", namespace, ref, "-o", "jsonpath={.metadata.resourceVersion}").stdout();
    }

    static Stream<Arguments> invalidResources() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(invalid("a sink table that is not an identifier", "orderpipeline-local.yaml",
                s -> spec(s, "sink").put("table", "ORDERS; DROP TABLE ORDERS"), "spec.sink.table"));
        cases.add(invalid("a Snowflake schema that is not an identifier", "orderpipeline-production.yaml",
                s -> ((ObjectNode) spec(s, "sink").get("snowflake")).put("schema", "RAW\"--"), "spec.sink.snowflake.schema"));
        cases.add(invalid("a key field with a space", "orderpipeline-local.yaml",
                s -> spec(s, "sink").putArray("keyFields").add("order id"), "spec.sink.keyFields"));
        cases.add(invalid("a negative replica count", "orderpipeline-local.yaml",
                s -> spec(s, "scaling").put("replicas", -1), "spec.scaling.replicas"));
        cases.add(invalid("an unknown sink type", "orderpipeline-local.yaml",
                s -> spec(s, "sink").put("type", "bigquery"), "spec.sink.type"));
        cases.add(invalid("an unknown scaling mode", "orderpipeline-local.yaml",
                s -> spec(s, "scaling").put("mode", "auto"), "spec.scaling.mode"));
        cases.add(invalid("an unknown dead-letter error tolerance", "orderpipeline-production.yaml",
                s -> spec(s, "deadLetter").put("errorTolerance", "some"), "spec.deadLetter.errorTolerance"));
        cases.add(invalid("minReplicas above maxReplicas (CEL)", "orderpipeline-production.yaml",
                s -> spec(s, "scaling").put("minReplicas", 5).put("maxReplicas", 2),
                "spec.scaling.minReplicas must not exceed spec.scaling.maxReplicas"));
        cases.add(invalid("a Snowflake sink without its connection (CEL)", "orderpipeline-production.yaml",
                s -> spec(s, "sink").remove("snowflake"), "spec.sink.snowflake is required"));
        cases.add(invalid("a batch latency that is not a duration", "orderpipeline-local.yaml",
                s -> spec(s, "batch").put("maxLatency", "soon"), "spec.batch.maxLatency"));
        cases.add(invalid("a Secret reference that is not a Secret name", "orderpipeline-production.yaml",
                s -> ((ObjectNode) spec(s, "source").get("security").get("password")).put("name", "Not_A_Name"),
                "spec.source.security.password.name"));
        cases.add(invalid("a dead-letter topic that is the source topic (CEL)", "orderpipeline-production.yaml",
                s -> spec(s, "deadLetter").put("topic", "orders"), "spec.deadLetter.topic must differ from spec.source.topic"));
        cases.add(invalid("a SASL protocol without credentials (CEL)", "orderpipeline-production.yaml",
                s -> ((ObjectNode) spec(s, "source").get("security")).remove("password"),
                "spec.source.security.username and password are required with a SASL protocol"));
        cases.add(invalid("a DuckDB sink scaled on lag (CEL)", "orderpipeline-local.yaml",
                s -> spec(s, "scaling").put("mode", "lag"), "a duckdb sink runs at most one loader"));
        cases.add(invalid("a dbt schedule with four fields", "orderpipeline-production.yaml",
                s -> spec(s, "dbt").put("schedule", "*/30 * * *"), "spec.dbt.schedule"));
        cases.add(invalid("a Datadog env that is not a label value", "orderpipeline-production.yaml",
                s -> ((ObjectNode) spec(s, "monitoring").get("datadog")).put("env", "prod env!"), "spec.monitoring.datadog.env"));
        cases.add(invalid("an unknown offset reset policy", "orderpipeline-production.yaml",
                s -> spec(s, "source").put("offsetReset", "none"), "spec.source.offsetReset"));
        cases.add(invalid("a Schema Registry URL carrying credentials (CEL)", "orderpipeline-confluent-protobuf.yaml",
                s -> ((ObjectNode) spec(s, "source").get("schemaRegistry"))
                        .put("url", "https://KEY:SECRET@psrc-xxxxx.us-east-2.aws.confluent.cloud"),
                "spec.source.schemaRegistry.url must not carry credentials"));
        cases.add(invalid("a CdcSync with neither pipelineRef nor a Snowflake table (CEL)", "cdcsync-postgres.yaml",
                s -> spec(s, "source").remove("pipelineRef"), "set exactly one of spec.source.pipelineRef and spec.source.snowflake"));
        cases.add(invalid("a CdcSync in cursor mode without its cursor column (CEL)", "cdcsync-postgres.yaml",
                s -> {
                    ObjectNode source = spec(s, "source");
                    source.remove("pipelineRef");
                    source.putObject("snowflake").put("table", "ORDERS").put("mode", "cursor")
                            .set("connection", Manifests.read(Manifests.root().resolve("samples/orderpipeline-production.yaml"))
                                    .at("/spec/sink/snowflake"));
                }, "spec.source.snowflake.cursorColumn is required when spec.source.snowflake.mode is cursor"));
        cases.add(invalid("an OrderPipeline name over 63 characters (CEL)", "orderpipeline-local.yaml",
                s -> ((ObjectNode) s.get("metadata")).put("name", "o".repeat(64)), "metadata.name must be at most 63 characters"));
        cases.add(invalid("a CdcSync name over 63 characters (CEL)", "cdcsync-postgres.yaml",
                s -> ((ObjectNode) s.get("metadata")).put("name", "c".repeat(64)), "metadata.name must be at most 63 characters"));
        cases.add(invalid("a Datadog service that is not a label value", "orderpipeline-production.yaml",
                s -> ((ObjectNode) spec(s, "monitoring").get("datadog")).put("service", "orders/pipeline"),
                "spec.monitoring.datadog.service"));
        cases.add(invalid("a CdcSync with an unknown deletes policy", "cdcsync-postgres.yaml",
                s -> ((ObjectNode) s.get("spec")).put("deletes", "cascade"), "spec.deletes"));
        return cases.stream();
    }

    private static Arguments invalid(String what, String sample, Consumer<ObjectNode> breakIt, String named) {
        ObjectNode doc = Manifests.read(Manifests.root().resolve("samples").resolve(sample));
        ((ObjectNode) doc.get("metadata")).put("name", "invalid-" + Integer.toHexString(what.hashCode() & 0xfffffff));
        breakIt.accept(doc);
        return Arguments.of(what, doc, named);
    }

    private static ObjectNode spec(ObjectNode doc, String field) {
        return (ObjectNode) doc.get("spec").get(field);
    }

    @ParameterizedTest(name = "the API server rejects {0}, naming {2}")
    @MethodSource("invalidResources")
    void theApiServerRejectsInvalidResourcesWithMessagesNamingTheField(String what, ObjectNode doc, String named,
                                                                        ApiServer api) {
        Kubectl.Result r = api.kubectl().runWithInput(Manifests.json(doc), "apply", "--server-side", "-n", INVALID_NS, "-f", "-");
        assertEquals(1, r.exitCode(), "accepted " + what + ":\n" + r.describe());
        assertTrue(r.stderr().contains("is invalid"), r.describe());
        assertTrue(r.stderr().contains(named), "the error does not name " + named + ":\n" + r.describe());
        String kind = doc.get("kind").asText();
        GenericKubernetesResource stored = api.client().genericKubernetesResources("orderpipeline.dev/v1alpha1", kind)
                .inNamespace(INVALID_NS).withName(doc.at("/metadata/name").asText()).get();
        assertEquals(null, stored, what + " was stored");
    }

    @Test
    void theApiServerKeepsOneConditionPerTypeInTheStatus(ApiServer api) {
        ObjectNode doc = Manifests.read(Manifests.root().resolve("samples").resolve("orderpipeline-local.yaml"));
        ((ObjectNode) doc.get("metadata")).put("name", "one-condition-per-type");
        api.kubectl().okWithInput(Manifests.json(doc), "apply", "--server-side", "-n", INVALID_NS, "-f", "-");
        String ready = "{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Loading\",\"message\":\"m\","
                + "\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}";
        Kubectl.Result twice = api.kubectl().run("patch", "opl/one-condition-per-type", "-n", INVALID_NS,
                "--subresource=status", "--type=merge", "-p", "{\"status\":{\"conditions\":[" + ready + "," + ready + "]}}");
        assertEquals(1, twice.exitCode(), "two Ready conditions were accepted:\n" + twice.describe());
        assertTrue(twice.stderr().contains("Duplicate value"), twice.describe());
        Kubectl.Result untyped = api.kubectl().run("patch", "opl/one-condition-per-type", "-n", INVALID_NS,
                "--subresource=status", "--type=merge", "-p", "{\"status\":{\"conditions\":[{\"status\":\"True\"}]}}");
        assertEquals(1, untyped.exitCode(), "a condition without a type was accepted:\n" + untyped.describe());
        assertTrue(untyped.stderr().contains("type"), untyped.describe());
        api.kubectl().ok("patch", "opl/one-condition-per-type", "-n", INVALID_NS, "--subresource=status", "--type=merge",
                "-p", "{\"status\":{\"conditions\":[" + ready + "]}}");
        api.kubectl().ok("delete", "opl/one-condition-per-type", "-n", INVALID_NS);
    }
}
