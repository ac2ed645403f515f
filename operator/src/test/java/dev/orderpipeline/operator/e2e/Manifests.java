package dev.orderpipeline.operator.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The repository's own manifests (CRDs, samples, Secret templates), as a user applies them. */
final class Manifests {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> CRD_NAMES = List.of("orderpipelines.orderpipeline.dev", "cdcsyncs.orderpipeline.dev");

    private Manifests() {
    }

    /** The repository root: the parent of the operator module, where Surefire runs the tests. */
    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("crds")) && Files.isDirectory(p.resolve("samples"))
                    && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    /** The CRDs users install: the committed copies in crds/ (a unit test keeps them equal to the generated ones). */
    static Path crds() {
        String dir = System.getProperty("crds.committed.dir");
        return dir == null ? root().resolve("crds") : Path.of(dir);
    }

    /** The top-level samples (samples/secrets holds Secret templates, samples/argocd an Argo CD Application). */
    static List<Path> samples() {
        try (Stream<Path> files = Files.list(root().resolve("samples"))) {
            return files.filter(f -> Files.isRegularFile(f) && f.toString().matches(".*\\.ya?ml$")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path secretTemplates() {
        return root().resolve("samples/secrets");
    }

    static ObjectNode read(Path yaml) {
        try {
            return (ObjectNode) YAML.readTree(yaml.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Installs the CRDs server-side (idempotent) and waits until the API server serves them. */
    static void installCrds(ApiServer api) {
        api.kubectl().ok("apply", "--server-side", "--field-manager=opl-e2e", "-f", crds().toString());
        api.kubectl().ok("wait", "--for=condition=Established", "--timeout=60s",
                "crd/" + CRD_NAMES.get(0), "crd/" + CRD_NAMES.get(1));
        KubernetesClient client = api.client();
        for (String name : CRD_NAMES) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name)
                    .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
                            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                            60, TimeUnit.SECONDS);
            assertTrue(crd.getStatus().getAcceptedNames().getShortNames().size() == 1, name + " has its short name");
        }
    }

    /** Creates a namespace (idempotent) with the Secrets the samples reference, from the templates' placeholders. */
    static void namespaceWithSampleSecrets(ApiServer api, String namespace) {
        api.kubectl().okWithInput(
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}",
                "apply", "--server-side", "--field-manager=opl-e2e", "-f", "-");
        api.kubectl().ok("apply", "--server-side", "--field-manager=opl-e2e", "-n", namespace,
                "-f", secretTemplates().toString());
    }
}
