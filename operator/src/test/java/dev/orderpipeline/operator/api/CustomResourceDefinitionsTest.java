package dev.orderpipeline.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CustomResourceDefinitionsTest {
    private static final String REGENERATE = "mvn -B -pl operator process-classes -DregenerateCrds";

    private final Path generated = Path.of(System.getProperty("crds.generated.dir", "target/classes/META-INF/fabric8"));
    private final Path committed = Path.of(System.getProperty("crds.committed.dir", "../crds"));

    @Test
    void committedCrdsAreExactlyWhatTheBuildGeneratesFromTheJavaClasses() throws IOException {
        Set<String> generatedFiles = yamlFiles(generated);
        Set<String> committedFiles = yamlFiles(committed);
        assertEquals(Set.of("orderpipelines.orderpipeline.dev-v1.yml", "cdcsyncs.orderpipeline.dev-v1.yml"), generatedFiles);
        assertEquals(generatedFiles, committedFiles,
                "crds/ does not hold the same CRD files as the build generates: run `" + REGENERATE + "` and commit crds/");
        for (String file : generatedFiles) {
            assertEquals(Files.readString(generated.resolve(file)), Files.readString(committed.resolve(file)),
                    "crds/" + file + " differs from the CRD generated from the Java classes: run `" + REGENERATE
                            + "` and commit crds/");
        }
    }

    @Test
    void orderPipelineCrdHasTheAgreedNamesCategoryAndScaleSubresource() throws IOException {
        CustomResourceDefinition crd = load("orderpipelines.orderpipeline.dev-v1.yml");
        assertEquals("orderpipeline.dev", crd.getSpec().getGroup());
        assertEquals(List.of("opl"), crd.getSpec().getNames().getShortNames());
        assertEquals(List.of("orderpipeline"), crd.getSpec().getNames().getCategories());
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertEquals("v1alpha1", version.getName());
        assertTrue(version.getSubresources().getStatus() != null, "status subresource");
        assertEquals(".spec.scaling.replicas", version.getSubresources().getScale().getSpecReplicasPath());
        assertEquals(".status.replicas", version.getSubresources().getScale().getStatusReplicasPath());
        assertEquals(".status.labelSelector", version.getSubresources().getScale().getLabelSelectorPath());
        assertEquals(new TreeSet<>(List.of("Ready", "Phase", "Replicas", "Lag", "Freshness", "Last dbt", "Age")),
                version.getAdditionalPrinterColumns().stream().map(c -> c.getName()).collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void cdcSyncCrdSharesTheCategorySoKubectlGetOrderpipelineListsBoth() throws IOException {
        CustomResourceDefinition crd = load("cdcsyncs.orderpipeline.dev-v1.yml");
        assertEquals(List.of("cdc"), crd.getSpec().getNames().getShortNames());
        assertEquals(List.of("orderpipeline"), crd.getSpec().getNames().getCategories());
        assertEquals("cdcsyncs", crd.getSpec().getNames().getPlural());
    }

    @Test
    void schemaValidatesIdentifiersTopicsAndRequiredFieldsAndDescribesEveryField() throws IOException {
        JSONSchemaProps spec = load("orderpipelines.orderpipeline.dev-v1.yml").getSpec().getVersions().get(0)
                .getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertEquals(List.of("sink", "source"), spec.getRequired().stream().sorted().toList());
        JSONSchemaProps source = spec.getProperties().get("source");
        assertEquals(Patterns.KAFKA_TOPIC, source.getProperties().get("topic").getPattern());
        JSONSchemaProps snowflake = spec.getProperties().get("sink").getProperties().get("snowflake");
        assertEquals(Patterns.SQL_IDENTIFIER, snowflake.getProperties().get("database").getPattern());
        assertEquals(List.of("running", "paused"), spec.getProperties().get("state").getEnum().stream()
                .map(n -> n.asText()).sorted(java.util.Comparator.reverseOrder()).toList());
    }

    @Test
    void everySpecAndStatusFieldOfBothResourcesHasADescriptionForKubectlExplain() throws IOException {
        for (String file : List.of("orderpipelines.orderpipeline.dev-v1.yml", "cdcsyncs.orderpipeline.dev-v1.yml")) {
            JSONSchemaProps root = load(file).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
            for (String part : List.of("spec", "status")) {
                List<String> undocumented = undocumented(part, root.getProperties().get(part));
                assertTrue(undocumented.isEmpty(), file + ": fields without a description: " + undocumented);
            }
        }
    }

    @Test
    void conditionsAreAMapListKeyedByTypeSoTheApiServerKeepsOnePerType() throws IOException {
        for (String file : List.of("orderpipelines.orderpipeline.dev-v1.yml", "cdcsyncs.orderpipeline.dev-v1.yml")) {
            JSONSchemaProps conditions = load(file).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                    .getProperties().get("status").getProperties().get("conditions");
            assertEquals("map", conditions.getXKubernetesListType(), file);
            assertEquals(List.of("type"), conditions.getXKubernetesListMapKeys(), file);
            assertTrue(conditions.getItems().getSchema().getRequired().contains("type"),
                    file + ": a map key must be required");
        }
    }

    /**
     * Kubernetes' own types in the pod template: described themselves, their fields are Kubernetes'
     * ({@code kubectl explain pod.spec.affinity}), some without a description in the published model.
     */
    private static final Set<String> KUBERNETES_TYPES = Set.of("spec.podTemplate.affinity", "spec.podTemplate.resources",
            "spec.podTemplate.tolerations", "spec.podTemplate.topologySpreadConstraints",
            "spec.podTemplate.imagePullSecrets");

    private static List<String> undocumented(String path, JSONSchemaProps schema) {
        if (KUBERNETES_TYPES.contains(path)) {
            return List.of();
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            return undocumented(path + "[]", schema.getItems().getSchema());
        }
        if (schema.getProperties() == null) {
            return List.of();
        }
        return schema.getProperties().entrySet().stream().flatMap(e -> {
            String child = path + "." + e.getKey();
            Stream<String> self = e.getValue().getDescription() == null ? Stream.of(child) : Stream.empty();
            return Stream.concat(self, undocumented(child, e.getValue()).stream());
        }).toList();
    }

    private CustomResourceDefinition load(String file) throws IOException {
        return new KubernetesSerialization().unmarshal(Files.readString(committed.resolve(file)),
                CustomResourceDefinition.class);
    }

    private static Set<String> yamlFiles(Path dir) throws IOException {
        assertTrue(Files.isDirectory(dir), dir + " is missing");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void printerColumnsAreInTheOrderKubectlGetShouldShowThem() throws IOException {
        assertEquals(List.of("Ready", "Phase", "Replicas", "Lag", "Freshness", "Last dbt", "Age"),
                columnNames("orderpipelines.orderpipeline.dev-v1.yml"));
        assertEquals(List.of("Ready", "Phase", "Lag", "Last sync", "Age"), columnNames("cdcsyncs.orderpipeline.dev-v1.yml"));
        assertEquals(PrinterColumnOrder.declaredOrder(OrderPipeline.class),
                columnNames("orderpipelines.orderpipeline.dev-v1.yml"), "the order declared on the class");
    }

    private List<String> columnNames(String file) throws IOException {
        return load(file).getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .map(c -> c.getName()).toList();
    }

    @Test
    void everyPrinterColumnPointsIntoTheStatusOrMetadata() throws IOException {
        load("orderpipelines.orderpipeline.dev-v1.yml").getSpec().getVersions().get(0).getAdditionalPrinterColumns()
                .forEach(c -> assertFalse(c.getJsonPath().startsWith(".spec"), c.getName()));
    }
}
