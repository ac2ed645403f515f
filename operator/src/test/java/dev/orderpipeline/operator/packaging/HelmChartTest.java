package dev.orderpipeline.operator.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The Helm chart, linted and rendered by Helm itself (helm-java embeds Helm as a native library). */
class HelmChartTest {
    private static final Path CHART = RepositoryFiles.chart();
    private static final String RELEASE = "opl";
    private static final String NAMESPACE = "orderpipeline-system";
    private static final String FULLNAME = "opl-order-pipeline-operator";
    private static final String REGENERATE =
            "run `mvn -B -pl operator process-classes -DregenerateCrds` (writes crds/ and the chart's crds/) and commit both";
    /** Helm's offline default is v1.20; the chart needs 1.25+ (CEL rules in the CRDs). */
    private static final String KUBE_VERSION = "1.30.0";

    /**
     * Every rule the operator needs in a namespace it watches, as "group/resource: verbs". Keep in
     * step with the code: informers on the primary resources, status patches (JOSDK patches the status
     * subresource, never PUTs it), ConfigMaps created and replaced (JOSDK's default leaves them out of
     * server-side apply), Deployments server-side applied (create + patch; the garbage collector deletes
     * them), PodDisruptionBudgets server-side applied, the dbt CronJob and Jobs applied and deleted (precondition, superseded manual runs), loader pods
     * listed for the runtime's /status, Secret references checked by name, Events created on transitions.
     */
    private static final Set<String> WATCHED_NAMESPACE_RULES = Set.of(
            "orderpipeline.dev/orderpipelines: get,list,watch",
            "orderpipeline.dev/cdcsyncs: get,list,watch",
            "orderpipeline.dev/orderpipelines/status: patch",
            "orderpipeline.dev/cdcsyncs/status: patch",
            "/configmaps: create,get,list,update,watch",
            "apps/deployments: create,get,list,patch,watch",
            "apps/deployments/scale: patch,update",
            "policy/poddisruptionbudgets: create,get,list,patch,watch",
            "batch/cronjobs: create,delete,get,list,patch,watch",
            "batch/jobs: create,delete,get,list,patch,watch",
            "/pods: list",
            "/secrets: get",
            "/events: create");

    @Test
    void helmLintPassesInStrictModeWithTheDefaultValues() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), "helm lint --strict: " + result.getMessages());
    }

    @Test
    void theDefaultReleaseIsAServiceAccountADeploymentAndClusterWideRbacPlusTheLeaderElectionRole() {
        Rendered rendered = render(Map.of());
        assertEquals(List.of("ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "ServiceAccount"),
                rendered.kinds());
        for (JsonNode object : rendered.objects) {
            String kind = object.path("kind").asText();
            if (!kind.startsWith("Cluster")) {
                assertEquals(NAMESPACE, object.path("metadata").path("namespace").asText(), kind + " namespace");
            }
            assertEquals("order-pipeline-operator", object.at("/metadata/labels/app.kubernetes.io~1name").asText());
        }
    }

    @Test
    void clusterRoleGrantsExactlyTheResourcesAndVerbsTheOperatorUses() {
        Rendered rendered = render(Map.of());
        JsonNode clusterRole = rendered.one("ClusterRole", FULLNAME);
        assertEquals(WATCHED_NAMESPACE_RULES, rules(clusterRole));
        // Secrets are read one by one, by name; listing or watching them would expose every Secret.
        assertTrue(rules(clusterRole).contains("/secrets: get"));
        for (JsonNode rule : clusterRole.path("rules")) {
            assertFalse(rule.toString().contains("\"*\""), "no wildcard in " + rule);
        }
        JsonNode binding = rendered.one("ClusterRoleBinding", FULLNAME);
        assertEquals(FULLNAME, binding.at("/roleRef/name").asText());
        assertEquals("ServiceAccount", binding.at("/subjects/0/kind").asText());
        assertEquals(FULLNAME, binding.at("/subjects/0/name").asText());
        assertEquals(NAMESPACE, binding.at("/subjects/0/namespace").asText());
        assertEquals(FULLNAME, rendered.one("ServiceAccount", FULLNAME).at("/metadata/name").asText());
    }

    @Test
    void leaderElectionRoleAllowsGetCreateUpdateAndPatchOfLeasesInOneRuleInTheOperatorsNamespace() {
        Rendered rendered = render(Map.of());
        JsonNode role = rendered.one("Role", FULLNAME + "-leader-election");
        assertEquals(NAMESPACE, role.at("/metadata/namespace").asText());
        // The operator framework checks its Lease access with a SelfSubjectRulesReview and wants the
        // verbs in a single rule; fabric8's LeaseLock renews with PATCH.
        assertEquals(Set.of("coordination.k8s.io/leases: create,get,patch,update"), rules(role));
        assertEquals(role.at("/metadata/name").asText(),
                rendered.one("RoleBinding", FULLNAME + "-leader-election").at("/roleRef/name").asText());

        Map<String, JsonNode> tuned = env(render(Map.of("leaderElection.leaseDuration", "60s",
                "leaderElection.renewDeadline", "40s", "leaderElection.retryPeriod", "5s")).one("Deployment", FULLNAME));
        assertEquals("60s", tuned.get("OPL_LEADER_ELECTION_LEASE_DURATION").path("value").asText());
        assertEquals("40s", tuned.get("OPL_LEADER_ELECTION_RENEW_DEADLINE").path("value").asText());
        assertEquals("5s", tuned.get("OPL_LEADER_ELECTION_RETRY_PERIOD").path("value").asText());

        Rendered without = render(Map.of("leaderElection.enabled", false));
        assertTrue(without.all("Role").isEmpty(), "no Lease access without leader election");
        assertEquals("false", env(without.one("Deployment", FULLNAME)).get("OPL_LEADER_ELECTION_ENABLED").path("value").asText());
    }

    @Test
    void watchingNamespacesReplacesTheClusterRoleWithTheSameRulesInARolePerNamespace() {
        Rendered rendered = render(Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));
        assertTrue(rendered.all("ClusterRole").isEmpty(), "no ClusterRole when namespaces are listed");
        assertTrue(rendered.all("ClusterRoleBinding").isEmpty(), "no ClusterRoleBinding when namespaces are listed");
        for (String namespace : List.of("team-a", "team-b")) {
            JsonNode role = rendered.all("Role").stream()
                    .filter(r -> r.at("/metadata/namespace").asText().equals(namespace)).findFirst()
                    .orElseThrow(() -> new AssertionError("no Role in " + namespace));
            assertEquals(WATCHED_NAMESPACE_RULES, rules(role), "rules in " + namespace);
            JsonNode binding = rendered.all("RoleBinding").stream()
                    .filter(r -> r.at("/metadata/namespace").asText().equals(namespace)).findFirst()
                    .orElseThrow(() -> new AssertionError("no RoleBinding in " + namespace));
            assertEquals("Role", binding.at("/roleRef/kind").asText());
            assertEquals(role.at("/metadata/name").asText(), binding.at("/roleRef/name").asText());
            assertEquals(NAMESPACE, binding.at("/subjects/0/namespace").asText(), "the operator's ServiceAccount");
        }
        // Secrets are readable only in the watched namespaces: no object of the release grants them elsewhere.
        for (JsonNode object : rendered.objects) {
            if (object.path("kind").asText().endsWith("Role") && rules(object).contains("/secrets: get")) {
                assertEquals("Role", object.path("kind").asText());
                assertTrue(Set.of("team-a", "team-b").contains(object.at("/metadata/namespace").asText()),
                        "Secret access only in a watched namespace: " + object.at("/metadata"));
            }
        }
        assertEquals("team-a,team-b",
                env(rendered.one("Deployment", FULLNAME)).get("OPL_WATCH_NAMESPACES").path("value").asText());
        assertEquals("", env(render(Map.of()).one("Deployment", FULLNAME)).get("OPL_WATCH_NAMESPACES").path("value").asText(),
                "empty means every namespace");
    }

    @Test
    void noRuleGrantsUpdateOrDeleteWhereServerSideApplyAndGarbageCollectionSuffice() {
        Set<String> rules = rules(render(Map.of()).one("ClusterRole", FULLNAME));
        for (String line : rules) {
            String resource = line.substring(0, line.indexOf(':'));
            List<String> verbs = List.of(line.substring(line.indexOf(": ") + 2).split(","));
            if (verbs.contains("update")) {
                assertTrue(Set.of("/configmaps", "apps/deployments/scale").contains(resource),
                        "update (a PUT) only where JOSDK does not use server-side apply, and for scaling a Stalled "
                                + "pipeline's loaders to zero: " + line);
            }
            if (verbs.contains("delete")) {
                assertTrue(Set.of("batch/cronjobs", "batch/jobs").contains(resource),
                        "delete only where the operator deletes; owner references delete the rest: " + line);
            }
            assertFalse(verbs.contains("deletecollection") || verbs.contains("escalate") || verbs.contains("bind")
                    || verbs.contains("impersonate"), line);
        }
    }

    @Test
    void operatorPodMeetsTheRestrictedPodSecurityStandardAsTheImagesUser() throws IOException {
        JsonNode pod = render(Map.of()).one("Deployment", FULLNAME).at("/spec/template/spec");
        JsonNode podContext = pod.path("securityContext");
        assertTrue(podContext.path("runAsNonRoot").asBoolean());
        assertEquals("RuntimeDefault", podContext.at("/seccompProfile/type").asText());
        assertEquals(10001, podContext.path("runAsUser").asInt());
        JsonNode container = operatorContainer(pod);
        JsonNode context = container.path("securityContext");
        assertFalse(context.path("allowPrivilegeEscalation").asBoolean(true));
        assertTrue(context.path("readOnlyRootFilesystem").asBoolean());
        assertTrue(context.path("runAsNonRoot").asBoolean());
        assertEquals("[\"ALL\"]", context.at("/capabilities/drop").toString());
        assertEquals("RuntimeDefault", context.at("/seccompProfile/type").asText());
        assertTrue(context.at("/capabilities/add").isMissingNode(), "no capability added");
        assertEquals("/tmp", container.at("/volumeMounts/0/mountPath").asText(), "writable /tmp on a read-only root");
        // The UID of the chart is the image's user.
        String dockerfile = Files.readString(RepositoryFiles.root().resolve("operator/Dockerfile"));
        assertTrue(dockerfile.contains("USER 10001:10001"), "operator/Dockerfile runs as 10001");
    }

    @Test
    void operatorContainerHasProbesResourcesAndTheSettingsTheOperatorReads() {
        JsonNode deployment = render(Map.of()).one("Deployment", FULLNAME);
        JsonNode container = operatorContainer(deployment.at("/spec/template/spec"));
        assertEquals("/healthz", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/healthz", container.at("/startupProbe/httpGet/path").asText());
        assertEquals("http", container.at("/livenessProbe/httpGet/port").asText());
        assertEquals(8081, container.at("/ports/0/containerPort").asInt());
        assertEquals("100m", container.at("/resources/requests/cpu").asText());
        assertEquals("512Mi", container.at("/resources/limits/memory").asText());
        Map<String, JsonNode> env = env(deployment);
        assertEquals("30", env.get("OPL_STALLED_RECHECK_SECONDS").path("value").asText());
        assertEquals("8081", env.get("OPL_HTTP_PORT").path("value").asText());
        assertEquals("true", env.get("OPL_LEADER_ELECTION_ENABLED").path("value").asText());
        assertEquals(FULLNAME, env.get("OPL_LEADER_ELECTION_LEASE_NAME").path("value").asText());
        assertEquals("metadata.namespace", env.get("OPL_LEADER_ELECTION_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText());
        assertEquals("15s", env.get("OPL_LEADER_ELECTION_LEASE_DURATION").path("value").asText());
        assertEquals("10s", env.get("OPL_LEADER_ELECTION_RENEW_DEADLINE").path("value").asText());
        assertEquals("2s", env.get("OPL_LEADER_ELECTION_RETRY_PERIOD").path("value").asText());
        assertTrue(env.get("JDK_JAVA_OPTIONS").path("value").asText().contains("-XX:MaxRAMPercentage=75"));
        assertEquals(FULLNAME, deployment.at("/spec/template/spec/serviceAccountName").asText());
        assertEquals(1, deployment.at("/spec/replicas").asInt());
    }

    @Test
    void imageOverridesReachTheOperatorContainerAndTheRuntimeImageOfTheLoaders() {
        String appVersion = render(Map.of()).one("Deployment", FULLNAME).at("/metadata/labels/app.kubernetes.io~1version").asText();
        JsonNode defaults = render(Map.of()).one("Deployment", FULLNAME);
        assertEquals("ghcr.io/orderpipeline/operator:" + appVersion, operatorContainer(defaults.at("/spec/template/spec")).path("image").asText());
        assertEquals("ghcr.io/orderpipeline/pipeline-runtime:" + appVersion, env(defaults).get("OPL_RUNTIME_IMAGE").path("value").asText());

        String digest = "sha256:" + "ab".repeat(32);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("image.repository", "registry.example.com/platform/opl-operator");
        values.put("image.tag", "1.2.3");
        values.put("image.pullPolicy", "Always");
        values.put("runtimeImage.repository", "registry.example.com/platform/opl-runtime");
        values.put("runtimeImage.digest", digest);
        values.put("imagePullSecrets[0].name", "regcred");
        JsonNode overridden = render(values).one("Deployment", FULLNAME);
        JsonNode container = operatorContainer(overridden.at("/spec/template/spec"));
        assertEquals("registry.example.com/platform/opl-operator:1.2.3", container.path("image").asText());
        assertEquals("Always", container.path("imagePullPolicy").asText());
        assertEquals("registry.example.com/platform/opl-runtime@" + digest, env(overridden).get("OPL_RUNTIME_IMAGE").path("value").asText());
        assertEquals("regcred", overridden.at("/spec/template/spec/imagePullSecrets/0/name").asText());
    }

    @Test
    void datadogSettingsTagThePodAndPointItAtTheAgentOfItsNode() {
        Map<String, JsonNode> off = env(render(Map.of()).one("Deployment", FULLNAME));
        assertTrue(off.keySet().stream().noneMatch(name -> name.startsWith("DD_")), "no Datadog settings by default: " + off.keySet());

        JsonNode deployment = render(Map.of("datadog.enabled", true, "datadog.env", "prod", "datadog.version", "2024.1"))
                .one("Deployment", FULLNAME);
        JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
        assertEquals("prod", podLabels.path("tags.datadoghq.com/env").asText());
        assertEquals(FULLNAME, podLabels.path("tags.datadoghq.com/service").asText());
        assertEquals("2024.1", podLabels.path("tags.datadoghq.com/version").asText());
        assertEquals("prod", deployment.at("/metadata/labels").path("tags.datadoghq.com/env").asText());
        Map<String, JsonNode> env = env(deployment);
        assertEquals("status.hostIP", env.get("DD_AGENT_HOST").at("/valueFrom/fieldRef/fieldPath").asText());
        assertEquals("metadata.labels['tags.datadoghq.com/env']", env.get("DD_ENV").at("/valueFrom/fieldRef/fieldPath").asText());
        assertEquals("metadata.labels['tags.datadoghq.com/service']", env.get("DD_SERVICE").at("/valueFrom/fieldRef/fieldPath").asText());
        assertEquals("metadata.labels['tags.datadoghq.com/version']", env.get("DD_VERSION").at("/valueFrom/fieldRef/fieldPath").asText());
        assertEquals("8125", env.get("DD_DOGSTATSD_PORT").path("value").asText());
    }

    @Test
    void valuesThatTheSchemaForbidsAreRejectedBeforeAnythingRenders() {
        assertRejected(Map.of("image.pullPolicy", "Sometimes"), "pullPolicy");
        assertRejected(Map.of("watchNamespaces[0]", "Team_A"), "watchNamespaces");
        assertRejected(Map.of("replicas", 2), "replicas");
        assertRejected(Map.of("runtimeImage.digest", "latest"), "digest");
        assertRejected(Map.of("logLevel", "verbose"), "logLevel");
        assertRejected(Map.of("leaderElection.renewDeadline", "ten seconds"), "renewDeadline");
    }

    @Test
    void chartCrdsAreByteForByteTheCrdsTheBuildGenerates() throws IOException {
        Path chartCrds = CHART.resolve("crds");
        Set<String> expected = fileNames(RepositoryFiles.crds());
        assertFalse(expected.isEmpty());
        assertEquals(expected, fileNames(chartCrds),
                "charts/order-pipeline-operator/crds/ must hold the files of crds/: " + REGENERATE);
        for (String file : expected) {
            assertArrayEquals(Files.readAllBytes(RepositoryFiles.crds().resolve(file)), Files.readAllBytes(chartCrds.resolve(file)),
                    "charts/order-pipeline-operator/crds/" + file + " differs from crds/" + file
                            + ": " + REGENERATE);
        }
    }

    @Test
    void notesTellTheUserHowToCheckTheOperatorCreateSecretsAndApplyAPipeline() throws IOException {
        String notes = Files.readString(CHART.resolve("templates/NOTES.txt"));
        for (String step : List.of("rollout status", "create secret generic", "apply --server-side", "get orderpipeline", "argocd")) {
            assertTrue(notes.contains(step), "NOTES.txt mentions " + step);
        }
    }

    private static void assertRejected(Map<String, Object> values, String expectedInMessage) {
        Exception e = assertThrows(Exception.class, () -> render(values), "values " + values + " must be rejected");
        assertTrue(e.getMessage().contains("values don't meet the specifications of the schema"),
                "rejected by the schema, not something else: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage), "message names " + expectedInMessage + ": " + e.getMessage());
    }

    private static Rendered render(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION).skipCrds();
        values.forEach(template::set);
        return new Rendered(RepositoryFiles.documents(template.call()));
    }

    private static JsonNode operatorContainer(JsonNode podSpec) {
        for (JsonNode container : podSpec.path("containers")) {
            if ("operator".equals(container.path("name").asText())) {
                return container;
            }
        }
        throw new AssertionError("no operator container in " + podSpec);
    }

    private static Map<String, JsonNode> env(JsonNode deployment) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        for (JsonNode variable : operatorContainer(deployment.at("/spec/template/spec")).path("env")) {
            assertNotNull(variable.get("name"));
            env.put(variable.get("name").asText(), variable);
        }
        return env;
    }

    /** Rules as "group/resource: verbs" lines (verbs sorted), one per resource, so rule grouping does not matter. */
    private static Set<String> rules(JsonNode role) {
        Set<String> lines = new TreeSet<>();
        for (JsonNode rule : role.path("rules")) {
            String verbs = strings(rule.path("verbs")).stream().sorted().collect(Collectors.joining(","));
            for (String group : strings(rule.path("apiGroups"))) {
                for (String resource : strings(rule.path("resources"))) {
                    String resourceNames = rule.has("resourceNames") ? " " + strings(rule.path("resourceNames")) : "";
                    assertTrue(lines.add(group + "/" + resource + resourceNames + ": " + verbs),
                            "one rule per resource: " + group + "/" + resource);
                }
            }
        }
        return lines;
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static Set<String> fileNames(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private record Rendered(List<JsonNode> objects) {
        List<String> kinds() {
            return objects.stream().map(o -> o.path("kind").asText()).sorted().toList();
        }

        List<JsonNode> all(String kind) {
            List<JsonNode> found = new ArrayList<>();
            objects.stream().filter(o -> kind.equals(o.path("kind").asText())).forEach(found::add);
            return found;
        }

        JsonNode one(String kind, String name) {
            Optional<JsonNode> found = all(kind).stream()
                    .filter(o -> name.equals(o.at("/metadata/name").asText())).findFirst();
            return found.orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds()));
        }
    }
}
