package dev.orderpipeline.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.operator.OperatorProcess;
import dev.orderpipeline.operator.ProcessSettings;
import dev.orderpipeline.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real operator, in this JVM, against a real kube-apiserver (and a real Kafka broker for the
 * source): server-side apply of its dependents, the status and scale subresources, printer columns,
 * Events and managedFields, as kubectl shows them.
 *
 * <p>No kube-controller-manager or kubelet runs: Deployments get no pods and no garbage collector deletes
 * dependents, so ownership is asserted through the owner references.
 */
@Tag("e2e")
@ExtendWith(ApiServerExtension.class)
class OperatorOnARealApiServerTest {
    private static final String NS = "opl-e2e-operator";
    private static final String KAFKA_TOPIC = "orders";
    private static final int PARTITIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Field managers of the person applying and scaling; every other manager is the operator. */
    private static final Set<String> USER_MANAGERS = Set.of("kubectl", "kubectl-client-side-apply", "kubectl-scale",
            "opl-e2e");

    private static EmbeddedKafka kafka;
    private static OperatorProcess operator;
    private static ApiServer api;
    private static KubernetesClient client;

    @BeforeAll
    static void startKafkaAndOperator(ApiServer server) throws Exception {
        api = server;
        client = api.client();
        Manifests.installCrds(api);
        Manifests.namespaceWithSampleSecrets(api, NS);
        kafka = EmbeddedKafka.start();
        kafka.createTopic(KAFKA_TOPIC, PARTITIONS);
        OperatorSettings settings = new OperatorSettings("registry.example/pipeline-runtime:e2e", Duration.ofSeconds(2),
                Set.of(NS)).withSourcePollInterval(Duration.ofSeconds(2));
        // Leader election on, as deployed: the Lease is a real coordination.k8s.io object here.
        ProcessSettings process = new ProcessSettings(0, true, "orderpipeline-operator-e2e", Optional.of(NS),
                "e2e-" + ProcessHandle.current().pid());
        operator = OperatorProcess.start(settings, process, api.newClient(), Clock.systemUTC());
        await().atMost(WAIT).until(operator::ready);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A sample as shipped, with its Kafka endpoint pointed at the test broker (plaintext, loopback). */
    private static ObjectNode sampleOnTestKafka(String file, String name) {
        ObjectNode doc = Manifests.read(Manifests.root().resolve("samples").resolve(file));
        ((ObjectNode) doc.get("metadata")).put("name", name);
        ObjectNode source = (ObjectNode) doc.get("spec").get("source");
        source.put("bootstrapServers", kafka.bootstrapServers());
        source.put("topic", KAFKA_TOPIC);
        source.remove("security");
        source.remove("consumerGroup");
        return doc;
    }

    private static void apply(ObjectNode doc) {
        Kubectl.Result r = api.kubectl().okWithInput(Manifests.json(doc), "apply", "--server-side", "-n", NS, "-f", "-");
        assertTrue(r.stdout().contains("serverside-applied"), r.describe());
    }

    private static GenericKubernetesResource pipeline(String name) {
        return client.genericKubernetesResources("orderpipeline.dev/v1alpha1", "OrderPipeline").inNamespace(NS)
                .withName(name).get();
    }

    /** Waits until the operator has reported on the current generation, and returns the resource. */
    private static GenericKubernetesResource reconciled(String name) {
        return await().atMost(WAIT).until(() -> pipeline(name), p -> {
            Object status = p == null ? null : p.getAdditionalProperties().get("status");
            return status instanceof Map<?, ?> s && s.get("observedGeneration") != null
                    && ((Number) s.get("observedGeneration")).longValue() == p.getMetadata().getGeneration()
                    && s.get("phase") != null;
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource r) {
        return (Map<String, Object>) r.getAdditionalProperties().get("status");
    }

    private static void assertOwnedBy(HasMetadata dependent, GenericKubernetesResource owner) {
        List<OwnerReference> refs = dependent.getMetadata().getOwnerReferences();
        assertEquals(1, refs.size(), dependent.getKind() + " " + dependent.getMetadata().getName() + ": " + refs);
        OwnerReference ref = refs.get(0);
        assertEquals(owner.getApiVersion(), ref.getApiVersion());
        assertEquals(owner.getKind(), ref.getKind());
        assertEquals(owner.getMetadata().getName(), ref.getName());
        assertEquals(owner.getMetadata().getUid(), ref.getUid(), "the owner reference names the live resource's uid");
        // JOSDK 5.2 writes plain owner references (controller and blockOwnerDeletion unset): enough for the garbage
        // collector to delete the dependents with their owner, which is what is asserted here.
    }

    private static List<Deployment> deploymentsOwnedBy(GenericKubernetesResource owner) {
        return client.apps().deployments().inNamespace(NS).list().getItems().stream()
                .filter(d -> d.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> o.getUid().equals(owner.getMetadata().getUid())))
                .toList();
    }

    private static List<ConfigMap> configMapsOwnedBy(GenericKubernetesResource owner) {
        return client.configMaps().inNamespace(NS).list().getItems().stream()
                .filter(d -> d.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> o.getUid().equals(owner.getMetadata().getUid())))
                .toList();
    }

    /** Managers that are not the person at the keyboard, i.e. the operator. */
    private static List<ManagedFieldsEntry> operatorEntries(HasMetadata resource) {
        return resource.getMetadata().getManagedFields().stream()
                .filter(m -> !USER_MANAGERS.contains(m.getManager()))
                .toList();
    }

    private static String fields(ManagedFieldsEntry entry) {
        return entry.getFieldsV1() == null ? "" : Manifests.json(Manifests.JSON.valueToTree(entry.getFieldsV1()));
    }

    @Test
    void theOperatorCreatesItsDependentsWithServerSideApplyOwnedByThePipeline() {
        apply(sampleOnTestKafka("orderpipeline-production.yaml", "orders"));
        GenericKubernetesResource pipeline = reconciled("orders");

        List<Deployment> deployments = await().atMost(WAIT).until(() -> deploymentsOwnedBy(pipeline), l -> !l.isEmpty());
        List<ConfigMap> configMaps = configMapsOwnedBy(pipeline);
        assertEquals(1, deployments.size(), "one loader Deployment");
        assertEquals(1, configMaps.size(), "one loader ConfigMap");
        Deployment loader = deployments.get(0);
        assertOwnedBy(loader, pipeline);
        assertOwnedBy(configMaps.get(0), pipeline);
        // Lag mode, no lag: minReplicas loaders.
        assertEquals(2, loader.getSpec().getReplicas(), "minReplicas loaders while there is no lag");
        assertEquals("registry.example/pipeline-runtime:e2e",
                loader.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        // The Deployment is server-side applied (JOSDK's default); JOSDK leaves ConfigMaps and Secrets out of SSA
        // by default, so the ConfigMap is a classic update, but by the operator all the same.
        assertTrue(operatorEntries(loader).stream().anyMatch(m -> "Apply".equals(m.getOperation())),
                "the Deployment is written with server-side apply: " + loader.getMetadata().getManagedFields());
        assertFalse(operatorEntries(configMaps.get(0)).isEmpty(), "the ConfigMap has no operator field manager: "
                + configMaps.get(0).getMetadata().getManagedFields());
        // No Secret value ever lands in the ConfigMap.
        String configMap = Manifests.json(Manifests.JSON.valueToTree(configMaps.get(0).getData()));
        assertFalse(configMap.contains("REPLACE_ME"), "a Secret value is in the ConfigMap: " + configMap);

        // The CdcSync sample reads this pipeline's table: its replicator is created and owned the same way.
        ObjectNode sync = Manifests.read(Manifests.root().resolve("samples/cdcsync-postgres.yaml"));
        apply(sync);
        GenericKubernetesResource cdc = await().atMost(WAIT).until(
                () -> client.genericKubernetesResources("orderpipeline.dev/v1alpha1", "CdcSync").inNamespace(NS)
                        .withName(sync.at("/metadata/name").asText()).get(),
                r -> r != null && !deploymentsOwnedBy(r).isEmpty());
        assertOwnedBy(deploymentsOwnedBy(cdc).get(0), cdc);
    }

    @Test
    void theOperatorWritesStatusOnlyThroughTheStatusSubresourceAndNeverWritesSpec() throws Exception {
        apply(sampleOnTestKafka("orderpipeline-production.yaml", "orders-status"));
        GenericKubernetesResource pipeline = reconciled("orders-status");
        assertEquals(1L, pipeline.getMetadata().getGeneration(), "the spec was never changed after the user's apply");
        Map<String, Object> status = status(pipeline);
        assertEquals(PARTITIONS, ((Number) status.get("partitions")).intValue(), "partitions read from the real broker");
        assertEquals(0, ((Number) status.get("consumerLag")).intValue(), "nothing produced: no lag");
        assertNotNull(status.get("labelSelector"), "labelSelector for the scale subresource");

        List<ManagedFieldsEntry> byOperator = operatorEntries(pipeline);
        assertFalse(byOperator.isEmpty(), "the operator's status write is not in managedFields: "
                + pipeline.getMetadata().getManagedFields());
        for (ManagedFieldsEntry m : byOperator) {
            String owned = fields(m);
            assertFalse(owned.contains("\"f:spec\""), "manager " + m.getManager() + " (" + m.getOperation()
                    + ", subresource " + m.getSubresource() + ") owns spec fields: " + owned);
            if (owned.contains("\"f:status\"")) {
                assertEquals("status", m.getSubresource(), "manager " + m.getManager() + " wrote status through "
                        + "the main resource, not the status subresource: " + m);
            }
        }
        assertTrue(byOperator.stream().anyMatch(m -> "status".equals(m.getSubresource()) && fields(m).contains("\"f:status\"")),
                "no status written through the status subresource: " + pipeline.getMetadata().getManagedFields());

        // Steady state: no Kafka change, no spec change, so several polls later nothing was written.
        String version = pipeline.getMetadata().getResourceVersion();
        Thread.sleep(7_000);
        GenericKubernetesResource later = pipeline("orders-status");
        assertEquals(version, later.getMetadata().getResourceVersion(),
                "the operator rewrote an unchanged status (GitOps churn): " + status + " -> " + status(later));
    }

    @Test
    void kubectlGetOrderpipelinePrintsThePrinterColumnsWithTheReconciledValues() {
        apply(sampleOnTestKafka("orderpipeline-production.yaml", "orders-columns"));
        GenericKubernetesResource pipeline = reconciled("orders-columns");
        Map<String, Object> status = status(pipeline);

        Kubectl.Result get = api.kubectl().ok("get", "orderpipeline", "-n", NS);
        Map<String, String> row = row(get, "orders-columns");
        assertEquals(List.of("NAME", "READY", "PHASE", "REPLICAS", "LAG", "FRESHNESS", "LAST DBT", "AGE"),
                List.copyOf(row.keySet()), get.describe());
        String ready = readyCondition(status);
        assertEquals(ready, row.get("READY"), get.describe());
        assertTrue(Set.of("True", "False", "Unknown").contains(row.get("READY")), get.describe());
        assertEquals(status.get("phase"), row.get("PHASE"), get.describe());
        assertEquals(String.valueOf(status.get("replicas")), row.get("REPLICAS"), get.describe());
        assertEquals("0", row.get("LAG"), "the lag read from the real broker:\n" + get.describe());
        assertTrue(row.get("AGE").matches("\\d+[smh].*"), get.describe());
        // "orderpipeline" is also the category, so kubectl lists both kinds (names prefixed with their kind).
        assertTrue(get.stdout().contains("orderpipeline.orderpipeline.dev/orders-columns"), get.describe());
        Kubectl.Result plural = api.kubectl().ok("get", "orderpipelines", "-n", NS, "orders-columns");
        Map<String, String> direct = row(plural, "orders-columns");
        for (String column : List.of("READY", "PHASE", "REPLICAS", "LAG", "FRESHNESS", "LAST DBT")) {
            assertEquals(row.get(column), direct.get(column), column + " through the plural:\n" + plural.describe()
                    + get.describe());
        }
    }

    @Test
    void kubectlScaleSetsTheLoaderCountThroughTheScaleSubresource() throws Exception {
        ObjectNode doc = sampleOnTestKafka("orderpipeline-production.yaml", "orders-scaled");
        ((ObjectNode) doc.get("spec")).putObject("scaling").put("mode", "manual").put("replicas", 1);
        apply(doc);
        GenericKubernetesResource pipeline = reconciled("orders-scaled");
        await().atMost(WAIT).until(() -> deploymentsOwnedBy(pipeline),
                l -> l.size() == 1 && l.get(0).getSpec().getReplicas() == 1);

        Kubectl.Result scale = api.kubectl().ok("scale", "-n", NS, "opl/orders-scaled", "--replicas=3");
        assertTrue(scale.stdout().contains("scaled"), scale.describe());
        await().atMost(WAIT).until(() -> deploymentsOwnedBy(pipeline).get(0).getSpec().getReplicas() == 3);

        JsonNode scaleObject = Manifests.JSON.readTree(api.kubectl()
                .ok("get", "-n", NS, "opl/orders-scaled", "--subresource=scale", "-o", "json").stdout());
        assertEquals("Scale", scaleObject.get("kind").asText(), scaleObject.toString());
        assertEquals(3, scaleObject.at("/spec/replicas").asInt(), scaleObject.toString());
        Deployment loader = deploymentsOwnedBy(pipeline).get(0);
        Map<String, String> selector = loader.getSpec().getSelector().getMatchLabels();
        String scaleSelector = scaleObject.at("/status/selector").asText();
        for (Map.Entry<String, String> e : selector.entrySet()) {
            assertTrue(scaleSelector.contains(e.getKey() + "=" + e.getValue()),
                    "the scale subresource's selector " + scaleSelector + " selects the loader pods " + selector);
        }
        GenericKubernetesResource after = pipeline("orders-scaled");
        assertEquals(3, ((Number) ((Map<?, ?>) ((Map<?, ?>) after.getAdditionalProperties().get("spec"))
                .get("scaling")).get("replicas")).intValue());

        // More loaders than partitions are never run, whatever kubectl scale asks for.
        api.kubectl().ok("scale", "-n", NS, "opl/orders-scaled", "--replicas=9");
        await().atMost(WAIT).until(() -> deploymentsOwnedBy(pipeline).get(0).getSpec().getReplicas() == PARTITIONS);

        // kubectl describe shows the operator's Events for it.
        await().atMost(WAIT).until(() -> api.kubectl().ok("describe", "-n", NS, "opl/orders-scaled").stdout(),
                out -> out.contains("Scaled"));
    }

    @Test
    void kubectlScaleOfADuckDbPipelineBeyondOneLoaderIsRefusedNamingTheRule() {
        apply(sampleOnTestKafka("orderpipeline-local.yaml", "orders-duckdb"));
        Kubectl.Result scale = api.kubectl().run("scale", "-n", NS, "opl/orders-duckdb", "--replicas=3");
        assertEquals(1, scale.exitCode(), scale.describe());
        assertTrue(scale.stderr().contains("a duckdb sink runs at most one loader"), scale.describe());
        assertEquals(1, ((Number) ((Map<?, ?>) ((Map<?, ?>) pipeline("orders-duckdb").getAdditionalProperties().get("spec"))
                .get("scaling")).get("replicas")).intValue());
    }

    @Test
    void kubectlDescribeShowsTheEventsOfAStalledPipeline() {
        ObjectNode doc = sampleOnTestKafka("orderpipeline-production.yaml", "orders-stalled");
        ((ObjectNode) doc.at("/spec/sink/snowflake/privateKey")).put("name", "no-such-secret");
        apply(doc);
        GenericKubernetesResource pipeline = reconciled("orders-stalled");
        assertEquals("Stalled", status(pipeline).get("phase"));
        assertTrue(deploymentsOwnedBy(pipeline).isEmpty(), "no loaders for a pipeline whose Secret is missing");

        String describe = await().atMost(WAIT).until(
                () -> api.kubectl().ok("describe", "-n", NS, "orderpipeline/orders-stalled").stdout(),
                out -> out.contains("SecretNotFound"));
        String events = describe.substring(describe.indexOf("Events:"));
        assertTrue(events.matches("(?s).*Warning\\s+SecretNotFound\\s+.*no-such-secret.*"), describe);
        assertFalse(describe.contains("REPLACE_ME"), "a Secret value is shown: " + describe);
    }

    @Test
    void aChildTheApiServerRefusesStallsThePipelineForThisGenerationNamingTheCauseUntilTheSpecIsFixed() {
        // Five fields pass the CRD's pattern, but minute 61 does not exist: only the CronJob's own validation says so.
        ObjectNode doc = sampleOnTestKafka("orderpipeline-production.yaml", "orders-refused");
        ((ObjectNode) doc.at("/spec/dbt")).put("schedule", "61 * * * *");
        apply(doc);
        GenericKubernetesResource refused = await().atMost(WAIT).until(() -> pipeline("orders-refused"),
                p -> p != null && status(p) != null && "Stalled".equals(status(p).get("phase")));
        assertEquals(refused.getMetadata().getGeneration(), ((Number) status(refused).get("observedGeneration")).longValue(),
                "Argo CD must not wait for a generation forever");
        Map<?, ?> stalled = condition(refused, "Stalled");
        assertEquals("True", stalled.get("status"));
        assertEquals("ChildRejected", stalled.get("reason"));
        assertTrue(String.valueOf(stalled.get("message")).contains("spec.schedule"), stalled.toString());
        await().atMost(WAIT).until(() -> api.kubectl().ok("describe", "-n", NS, "opl/orders-refused").stdout(),
                out -> out.contains("ChildRejected"));

        ((ObjectNode) doc.at("/spec/dbt")).put("schedule", "1 * * * *");
        apply(doc);
        await().atMost(WAIT).until(() -> pipeline("orders-refused"), p -> !"Stalled".equals(status(p).get("phase"))
                && "False".equals(condition(p, "Stalled").get("status")));
    }

    @SuppressWarnings("unchecked")
    private static Map<?, ?> condition(GenericKubernetesResource r, String type) {
        return ((List<Map<?, ?>>) status(r).get("conditions")).stream().filter(c -> type.equals(c.get("type")))
                .findFirst().orElse(Map.of());
    }

    @Test
    void aCdcSyncWhoseReplicatorTheApiServerRefusesIsStalledForThisGenerationNamingTheCause() {
        apply(sampleOnTestKafka("orderpipeline-production.yaml", "orders"));
        ObjectNode sync = Manifests.read(Manifests.root().resolve("samples/cdcsync-postgres.yaml"));
        ((ObjectNode) sync.get("metadata")).put("name", "orders-to-pg-refused");
        // A node selector key the CRD's schema lets through but a Deployment's validation does not.
        ((ObjectNode) sync.get("spec")).putObject("podTemplate").putObject("nodeSelector").put("not a label key!", "x");
        apply(sync);

        GenericKubernetesResource refused = await().atMost(WAIT).until(() -> client
                        .genericKubernetesResources("orderpipeline.dev/v1alpha1", "CdcSync").inNamespace(NS)
                        .withName("orders-to-pg-refused").get(),
                r -> r != null && status(r) != null && "Stalled".equals(status(r).get("phase")));
        assertEquals(refused.getMetadata().getGeneration(), ((Number) status(refused).get("observedGeneration")).longValue());
        Map<?, ?> stalled = condition(refused, "Stalled");
        assertEquals("ChildRejected", stalled.get("reason"));
        assertTrue(String.valueOf(stalled.get("message")).contains("nodeSelector"), stalled.toString());
    }

    @Test
    void deletingAPipelineIsNotHeldUpAndLeavesItsDependentsToTheGarbageCollector() {
        apply(sampleOnTestKafka("orderpipeline-local.yaml", "orders-deleted"));
        GenericKubernetesResource pipeline = reconciled("orders-deleted");
        List<Deployment> deployments = await().atMost(WAIT).until(() -> deploymentsOwnedBy(pipeline), l -> l.size() == 1);
        List<ConfigMap> configMaps = configMapsOwnedBy(pipeline);
        assertEquals(1, configMaps.size());

        // No finalizer of the operator's holds the deletion (kubectl waits for the object to be gone).
        api.kubectl().ok("delete", "-n", NS, "opl/orders-deleted", "--wait=true", "--timeout=30s");
        assertEquals(null, pipeline("orders-deleted"));
        // What the garbage collector (not running here) acts on: every dependent names the deleted owner's uid.
        for (HasMetadata dependent : List.<HasMetadata>of(deployments.get(0), configMaps.get(0))) {
            assertOwnedBy(dependent, pipeline);
        }
    }

    private static String readyCondition(Map<String, Object> status) {
        Object conditions = status.get("conditions");
        if (conditions instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof Map<?, ?> m && "Ready".equals(m.get("type"))) {
                    return String.valueOf(m.get("status"));
                }
            }
        }
        return "";
    }

    /**
     * One row of kubectl's table output, by column header. kubectl aligns every column to its header, so
     * cells are cut at the headers' positions (an empty cell stays empty; "LAST DBT" keeps its space).
     */
    private static Map<String, String> row(Kubectl.Result get, String name) {
        // With the category, kubectl prints one table per kind: take the header above the row.
        String header = null;
        String line = null;
        for (String l : get.stdout().lines().toList()) {
            if (l.startsWith("NAME ")) {
                header = l;
            } else if (l.startsWith(name + " ") || l.matches("^[a-z.]+/" + java.util.regex.Pattern.quote(name) + " .*")) {
                line = l;
                break;
            }
        }
        if (header == null || line == null) {
            throw new AssertionError("no row for " + name + " under a header:\n" + get.describe());
        }
        List<Integer> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\S+(?: \\S+)*").matcher(header);
        while (m.find()) {
            starts.add(m.start());
            names.add(m.group());
        }
        Map<String, String> cells = new LinkedHashMap<>();
        for (int i = 0; i < starts.size(); i++) {
            int from = Math.min(starts.get(i), line.length());
            int to = i + 1 < starts.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
            cells.put(names.get(i), line.substring(from, to).strip());
        }
        return cells;
    }
}
