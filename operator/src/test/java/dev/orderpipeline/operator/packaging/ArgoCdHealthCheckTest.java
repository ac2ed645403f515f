package dev.orderpipeline.operator.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Argo CD health checks, run by a real Lua interpreter (LuaJ) against resources in each state the
 * operator reports. Argo CD gives the script the resource as the global {@code obj} and reads the
 * returned table's {@code status} and {@code message}; only the base, table, string and math
 * libraries are loaded here, as in Argo CD's sandbox.
 */
class ArgoCdHealthCheckTest {
    private static final Path ARGOCD = RepositoryFiles.chart().resolve("argocd");
    private static final Path ORDER_PIPELINE_CHECK = ARGOCD.resolve("health-orderpipeline.lua");
    private static final Path CDC_SYNC_CHECK = ARGOCD.resolve("health-cdcsync.lua");
    private static final long GENERATION = 3;

    @Test
    void aPipelineTheOperatorHasNotReportedOnYetIsProgressing() {
        ArgoCdHealth health = orderPipeline(pipeline(), null);
        assertEquals("Progressing", health.status());
        assertTrue(health.message().contains("Waiting for the operator"), health.message());
    }

    @Test
    void aPipelineWhoseStatusDescribesAnOlderGenerationIsProgressingEvenIfThatGenerationWasReady() {
        ObjectNode status = status(GENERATION - 1, "Running",
                condition("Ready", "True", "LoadersReady", "2 of 2 loader(s) ready.", GENERATION - 1),
                condition("Reconciling", "False", "RolloutComplete", "The loaders run the current spec.", GENERATION - 1),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION - 1));
        ArgoCdHealth health = orderPipeline(pipeline(), status);
        assertEquals("Progressing", health.status());
        assertTrue(health.message().contains("generation 3"), health.message());
    }

    @Test
    void aPipelineReadyForTheCurrentGenerationIsHealthy() {
        ArgoCdHealth health = orderPipeline(pipeline(), readyStatus());
        assertEquals(new ArgoCdHealth("Healthy", "LoadersReady: 2 of 2 loader(s) ready."), health);
    }

    @Test
    void aPipelineRollingOutItsLoadersIsProgressing() {
        ObjectNode status = status(GENERATION, "Pending",
                condition("Ready", "False", "LoadersNotReady", "1 of 2 loader(s) ready.", GENERATION),
                condition("Reconciling", "True", "RollingOut", "Waiting for the loader Deployment to roll out.", GENERATION),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION));
        assertEquals(new ArgoCdHealth("Progressing", "RollingOut: Waiting for the loader Deployment to roll out."),
                orderPipeline(pipeline(), status));
    }

    @Test
    void aStalledPipelineIsDegradedWithTheOperatorsReason() {
        String message = "Secret snowflake-orderpipeline has no key rsa_key.p8 (spec.sink.snowflake.privateKey)";
        ObjectNode status = status(GENERATION, "Stalled",
                condition("Ready", "False", "SecretKeyMissing", message, GENERATION),
                condition("Reconciling", "False", "SecretKeyMissing", "Waiting for the resource or its Secrets to be fixed.", GENERATION),
                condition("Stalled", "True", "SecretKeyMissing", message, GENERATION));
        assertEquals(new ArgoCdHealth("Degraded", "SecretKeyMissing: " + message), orderPipeline(pipeline(), status));
    }

    @Test
    void aPausedPipelineIsSuspendedOnceItsLoadersHaveStopped() {
        ObjectNode pipeline = pipeline();
        ((ObjectNode) pipeline.path("spec")).put("state", "paused");
        ObjectNode status = status(GENERATION, "Paused",
                condition("Ready", "False", "Paused", "spec.state is paused: loaders are scaled to zero; set spec.state to running to resume.", GENERATION),
                condition("Reconciling", "False", "Paused", "No loader runs.", GENERATION),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION));
        ArgoCdHealth health = orderPipeline(pipeline, status);
        assertEquals("Suspended", health.status());
        assertTrue(health.message().startsWith("Paused: spec.state is paused"), health.message());
    }

    @Test
    void aPipelineStoppingItsLoadersForAPauseIsProgressing() {
        ObjectNode pipeline = pipeline();
        ((ObjectNode) pipeline.path("spec")).put("state", "paused");
        ObjectNode status = status(GENERATION, "Paused",
                condition("Ready", "False", "Paused", "spec.state is paused.", GENERATION),
                condition("Reconciling", "True", "Paused", "Stopping 2 loader(s).", GENERATION),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION));
        assertEquals(new ArgoCdHealth("Progressing", "Paused: Stopping 2 loader(s)."), orderPipeline(pipeline, status));
    }

    @Test
    void aFailedKafkaProbeWhileDataFlowsIsAWarningOfAHealthyPipelineNotADegradedOne() {
        ObjectNode status = readyStatus();
        ((ArrayNode) status.path("conditions")).add(condition("SourceReachable", "False", "KafkaUnreachable",
                "No answer from pkc-xxxxx.us-east-1.aws.confluent.cloud:9092 within 3s.", GENERATION));
        assertEquals(new ArgoCdHealth("Healthy", "LoadersReady: 2 of 2 loader(s) ready. Warning: SourceReachable is False: "
                        + "KafkaUnreachable: No answer from pkc-xxxxx.us-east-1.aws.confluent.cloud:9092 within 3s."),
                orderPipeline(pipeline(), status));
    }

    @Test
    void aFailingDbtTestWhileDataFlowsIsAWarningOfAHealthyPipeline() {
        ObjectNode status = readyStatus();
        ((ArrayNode) status.path("conditions")).add(condition("DbtSucceeded", "False", "TestsFailed",
                "1 of 12 tests failed: not_null_orders_customerid.", GENERATION));
        ((ArrayNode) status.path("conditions")).add(condition("SourceReachable", "False", "KafkaUnreachable",
                "No answer within 3s.", GENERATION));
        ArgoCdHealth health = orderPipeline(pipeline(), status);
        assertEquals("Healthy", health.status());
        assertEquals("LoadersReady: 2 of 2 loader(s) ready. Warning: DbtSucceeded is False: TestsFailed: 1 of 12 tests "
                + "failed: not_null_orders_customerid.; SourceReachable is False: KafkaUnreachable: No answer within 3s.",
                health.message(), "every warning is named");
    }

    @Test
    void aHangingWarehouseCommitOrAnOffsetOutOfRangeIsDegradedEvenWhileTheLoadersAreReady() {
        for (ObjectNode failing : new ObjectNode[] {
                condition("SinkWriting", "False", "SinkStalled", "A loader has waited on the warehouse since 10:02:11Z.", GENERATION),
                condition("OffsetsInRange", "False", "OffsetOutOfRange", "Partitions 3 are held.", GENERATION),
                condition("SomeFutureCheck", "False", "Broken", "A condition this check does not know.", GENERATION)}) {
            ObjectNode status = readyStatus();
            ((ArrayNode) status.path("conditions")).add(condition("DbtSucceeded", "False", "TestsFailed", "2 tests failed.", GENERATION));
            ((ArrayNode) status.path("conditions")).add(failing);
            ArgoCdHealth health = orderPipeline(pipeline(), status);
            assertEquals("Degraded", health.status(), failing.toString());
            assertEquals(failing.path("type").asText() + " is False: " + failing.path("reason").asText() + ": "
                    + failing.path("message").asText(), health.message());
        }
    }

    @Test
    void aSchemaRegistryThatHasNotAnsweredForMinutesIsDegradedAsTheOperatorReportsIt() {
        String message = "A loader has not got schemas from the Schema Registry at psrc-orders.region.invalid since "
                + "2026-12-02T10:02:11Z: loading waits.";
        ObjectNode status = status(GENERATION, "Degraded",
                condition("Ready", "False", "SchemaRegistryUnavailable", message, GENERATION),
                condition("Reconciling", "False", "SchemaRegistryUnavailable",
                        "The loaders run the current spec; they wait on SchemaRegistryAvailable.", GENERATION),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION),
                condition("SinkWriting", "True", "Committing", "The loaders' warehouse commits return.", GENERATION),
                condition("SchemaRegistryAvailable", "False", "SchemaRegistryUnavailable", message, GENERATION));
        assertEquals(new ArgoCdHealth("Degraded", "SchemaRegistryAvailable is False: SchemaRegistryUnavailable: " + message),
                orderPipeline(pipeline(), status));

        // Before the grace has passed the operator still says the registry answers: waiting loaders look like a rollout.
        ObjectNode waiting = status(GENERATION, "Pending",
                condition("Ready", "False", "LoadersNotReady", "0 of 2 loader(s) ready.", GENERATION),
                condition("Reconciling", "True", "RollingOut", "Waiting for the loader Deployment to roll out.", GENERATION),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION),
                condition("SchemaRegistryAvailable", "True", "Answering", "The loaders' Schema Registry answers.", GENERATION));
        assertEquals("Progressing", orderPipeline(pipeline(), waiting).status());

        ObjectNode answering = readyStatus();
        ((ArrayNode) answering.path("conditions")).add(condition("SchemaRegistryAvailable", "True", "Answering",
                "The loaders' Schema Registry answers.", GENERATION));
        assertEquals("Healthy", orderPipeline(pipeline(), answering).status());
    }

    @Test
    void crashLoopingLoadersAFailedImagePullOrAStuckRolloutAreDegradedEvenWhileTheOperatorStillReconciles() {
        for (String reason : new String[] {"CrashLooping", "LoadersCrashLooping", "ImagePullFailed", "ContainerConfigError",
                "RolloutStuck"}) {
            for (String reconciling : new String[] {"True", "False"}) {
                ObjectNode status = status(GENERATION, "Degraded",
                        condition("Ready", "False", reason, "0 of 2 loader(s) ready: loader-7d9f back-off restarting.", GENERATION),
                        condition("Reconciling", reconciling, "RollingOut", "Waiting for the loader Deployment to roll out.", GENERATION),
                        condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION));
                assertEquals(new ArgoCdHealth("Degraded", reason + ": 0 of 2 loader(s) ready: loader-7d9f back-off restarting."),
                        orderPipeline(pipeline(), status), reason + " with Reconciling " + reconciling);
            }
        }
    }

    @Test
    void aScaleUpWhileTheLoadersAreHealthyIsProgressingNotDegraded() {
        ObjectNode status = status(GENERATION, "Running",
                condition("Ready", "False", "LoadersNotReady", "2 of 3 loader(s) ready.", GENERATION),
                condition("Reconciling", "True", "ScalingUp", "Waiting for 1 new loader.", GENERATION),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION),
                condition("SourceReachable", "False", "KafkaUnreachable", "No answer within 3s.", GENERATION));
        assertEquals(new ArgoCdHealth("Progressing", "ScalingUp: Waiting for 1 new loader."), orderPipeline(pipeline(), status));
    }

    @Test
    void aNotReadyPipelineThatIsNotReconcilingIsDegradedAndNamesItsWarnings() {
        ObjectNode status = status(GENERATION, "Pending",
                condition("Ready", "False", "LoadersNotReady", "0 of 2 loader(s) ready.", GENERATION),
                condition("Reconciling", "False", "RolloutComplete", "", GENERATION),
                condition("SourceReachable", "False", "KafkaUnreachable", "No answer within 3s.", GENERATION));
        assertEquals(new ArgoCdHealth("Degraded", "LoadersNotReady: 0 of 2 loader(s) ready. (SourceReachable is False: "
                + "KafkaUnreachable: No answer within 3s.)"), orderPipeline(pipeline(), status));
    }

    @Test
    void aPausedPipelineIsSuspendedEvenWhenItIsStalledWithCrashLoopingLoaders() {
        ObjectNode pipeline = pipeline();
        ((ObjectNode) pipeline.path("spec")).put("state", "paused");
        ObjectNode status = status(GENERATION, "Paused",
                condition("Ready", "False", "Paused", "spec.state is paused.", GENERATION),
                condition("Reconciling", "False", "Paused", "No loader runs.", GENERATION),
                condition("Stalled", "True", "SecretNotFound", "Secret snowflake-orderpipeline does not exist.", GENERATION));
        assertEquals(new ArgoCdHealth("Suspended", "Paused: spec.state is paused."), orderPipeline(pipeline, status));
    }

    @Test
    void aFailingConditionOfAnOlderGenerationDoesNotDegradeThePipeline() {
        ObjectNode status = readyStatus();
        ((ArrayNode) status.path("conditions")).add(condition("DbtSucceeded", "False", "TestsFailed", "2 tests failed.", GENERATION - 1));
        assertEquals("Healthy", orderPipeline(pipeline(), status).status());
    }

    @Test
    void aPipelineNotReadyAndNotReconcilingIsDegraded() {
        ObjectNode status = status(GENERATION, "Pending",
                condition("Ready", "False", "LoadersNotReady", "0 of 2 loader(s) ready.", GENERATION),
                condition("Reconciling", "False", "RolloutComplete", "", GENERATION));
        assertEquals(new ArgoCdHealth("Degraded", "LoadersNotReady: 0 of 2 loader(s) ready."), orderPipeline(pipeline(), status));
    }

    @Test
    void cdcSyncHealthFollowsTheSameRules() {
        ObjectNode sync = resource(RepositoryFiles.document(RepositoryFiles.samples().resolve("cdcsync-postgres.yaml")));
        assertEquals("Progressing", cdcSync(sync, null).status());
        assertEquals("Healthy", cdcSync(sync, status(GENERATION, "Running",
                condition("Ready", "True", "Replicating", "Last batch committed 4s ago.", GENERATION),
                condition("Reconciling", "False", "RolloutComplete", "", GENERATION),
                condition("Stalled", "False", "SpecValid", "", GENERATION))).status());
        assertEquals("Progressing", cdcSync(sync, status(GENERATION - 1, "Running",
                condition("Ready", "True", "Replicating", "", GENERATION - 1))).status());
        assertEquals(new ArgoCdHealth("Degraded", "PipelineNotFound: OrderPipeline orders does not exist"), cdcSync(sync, status(GENERATION, "Stalled",
                condition("Ready", "False", "PipelineNotFound", "OrderPipeline orders does not exist", GENERATION),
                condition("Stalled", "True", "PipelineNotFound", "OrderPipeline orders does not exist", GENERATION))));
        ObjectNode paused = sync.deepCopy();
        ((ObjectNode) paused.path("spec")).put("state", "paused");
        assertEquals("Suspended", cdcSync(paused, status(GENERATION, "Paused",
                condition("Ready", "False", "Paused", "spec.state is paused.", GENERATION),
                condition("Reconciling", "False", "Paused", "", GENERATION))).status());
        // Pausing wins over a stall, as for an OrderPipeline: the operator scales a stalled sync's replicator to zero
        // when it is paused (phase Paused), so a crash-looping replicator can be stopped; Stalled still names the cause.
        assertEquals(new ArgoCdHealth("Suspended", "PipelineNotFound: OrderPipeline orders does not exist"),
                cdcSync(paused, status(GENERATION, "Paused",
                        condition("Ready", "False", "PipelineNotFound", "OrderPipeline orders does not exist", GENERATION),
                        condition("Reconciling", "False", "PipelineNotFound", "Waiting for the resource to be fixed.",
                                GENERATION),
                        condition("Stalled", "True", "PipelineNotFound", "OrderPipeline orders does not exist", GENERATION))));
        // spec.state decides, whatever phase an older operator wrote.
        assertEquals("Suspended", cdcSync(paused, status(GENERATION, "Stalled",
                condition("Ready", "False", "SecretNotFound", "Secret analytics-pg does not exist.", GENERATION),
                condition("Stalled", "True", "SecretNotFound", "Secret analytics-pg does not exist.", GENERATION))).status());
        for (String reconciling : new String[] {"True", "False"}) {
            assertEquals(new ArgoCdHealth("Degraded", "ReplicatorCrashLooping: 0 of 1 replicator ready."), cdcSync(sync, status(GENERATION, "Degraded",
                    condition("Ready", "False", "ReplicatorCrashLooping", "0 of 1 replicator ready.", GENERATION),
                    condition("Reconciling", reconciling, "RollingOut", "", GENERATION),
                    condition("Stalled", "False", "SpecValid", "", GENERATION))), "Reconciling " + reconciling);
        }
        assertEquals(new ArgoCdHealth("Healthy", "Replicating: ok. Warning: SourceReachable is False: WarehouseUnreachable: timeout."),
                cdcSync(sync, status(GENERATION, "Running",
                        condition("Ready", "True", "Replicating", "ok.", GENERATION),
                        condition("Reconciling", "False", "RolloutComplete", "", GENERATION),
                        condition("SourceReachable", "False", "WarehouseUnreachable", "timeout.", GENERATION))));
        assertEquals("Degraded", cdcSync(sync, status(GENERATION, "Running",
                condition("Ready", "True", "Replicating", "ok.", GENERATION),
                condition("TargetReady", "False", "TableMissing", "public.orders does not exist.", GENERATION))).status());
    }

    @Test
    void theArgoCdConfigMapPatchCarriesTheScriptsVerbatimUnderArgoCdsKeys() throws IOException {
        JsonNode patch = RepositoryFiles.document(ARGOCD.resolve("argocd-cm-patch.yaml"));
        assertEquals("argocd-cm", patch.at("/metadata/name").asText());
        assertEquals(Files.readString(ORDER_PIPELINE_CHECK),
                patch.at("/data").path("resource.customizations.health.orderpipeline.dev_OrderPipeline").asText());
        assertEquals(Files.readString(CDC_SYNC_CHECK),
                patch.at("/data").path("resource.customizations.health.orderpipeline.dev_CdcSync").asText());
    }

    @Test
    void theConfigMapPatchIgnoresUpdatesOfThePerPollStatusFieldsThatExistInTheCrdSchemas() throws IOException {
        JsonNode data = RepositoryFiles.document(ARGOCD.resolve("argocd-cm-patch.yaml")).path("data");
        // Argo CD 2.x reads the ignoreResourceUpdates keys only with this flag (the default from 3.0 on).
        assertEquals("true", data.path("resource.ignoreResourceUpdatesEnabled").asText());
        Map<String, Set<String>> expected = Map.of(
                "OrderPipeline", Set.of("/status/consumerLag", "/status/recordsLoaded", "/status/freshnessSeconds",
                        "/status/lastCommitTime"),
                "CdcSync", Set.of("/status/lastSyncTime", "/status/rowsUpserted", "/status/rowsDeleted", "/status/lagSeconds",
                        "/status/watermark", "/status/cost"));
        for (Map.Entry<String, Set<String>> kind : expected.entrySet()) {
            String key = "resource.customizations.ignoreResourceUpdates.orderpipeline.dev_" + kind.getKey();
            assertTrue(data.path(key).isTextual(), "argocd-cm-patch.yaml has " + key);
            JsonNode customization = RepositoryFiles.YAML.readTree(data.path(key).asText());
            Set<String> pointers = new TreeSet<>();
            customization.path("jsonPointers").forEach(p -> pointers.add(p.asText()));
            assertEquals(new TreeSet<>(kind.getValue()), pointers, key);
            JsonNode schema = crdSchema(kind.getKey());
            for (String pointer : pointers) {
                JsonNode node = schema;
                for (String segment : pointer.substring(1).split("/")) {
                    node = node.path("properties").path(segment);
                }
                assertFalse(node.isMissingNode(), pointer + " of " + kind.getKey() + " is not in the CRD schema");
            }
            // What health is computed from must never be ignored.
            for (String kept : List.of("/status/conditions", "/status/phase", "/status/observedGeneration", "/status")) {
                assertFalse(pointers.contains(kept), key + " ignores " + kept);
            }
        }
    }

    /** The openAPIV3Schema of every served version of a kind, from crds/ (one version today). */
    private static JsonNode crdSchema(String kind) throws IOException {
        try (var files = Files.list(RepositoryFiles.crds())) {
            for (Path file : files.sorted().toList()) {
                JsonNode crd = RepositoryFiles.document(file);
                if (kind.equals(crd.at("/spec/names/kind").asText())) {
                    assertEquals("orderpipeline.dev", crd.at("/spec/group").asText());
                    assertEquals(1, crd.at("/spec/versions").size(), "check every version's schema when there are more");
                    return crd.at("/spec/versions/0/schema/openAPIV3Schema");
                }
            }
        }
        throw new AssertionError("no CRD of kind " + kind + " in crds/");
    }


    private static ArgoCdHealth orderPipeline(ObjectNode resource, ObjectNode status) {
        return ArgoCdHealth.run(ORDER_PIPELINE_CHECK, withStatus(resource, status));
    }

    private static ArgoCdHealth cdcSync(ObjectNode resource, ObjectNode status) {
        return ArgoCdHealth.run(CDC_SYNC_CHECK, withStatus(resource, status));
    }

    private static ObjectNode withStatus(ObjectNode resource, ObjectNode status) {
        ObjectNode copy = resource.deepCopy();
        if (status != null) {
            copy.set("status", status);
        }
        return copy;
    }

    /** The production sample as the API server returns it: with a generation and a namespace. */
    private static ObjectNode pipeline() {
        return resource(RepositoryFiles.document(RepositoryFiles.samples().resolve("orderpipeline-production.yaml")));
    }

    private static ObjectNode resource(JsonNode sample) {
        ObjectNode resource = sample.deepCopy();
        ObjectNode metadata = (ObjectNode) resource.path("metadata");
        metadata.put("namespace", "orders");
        metadata.put("generation", GENERATION);
        metadata.put("uid", "4f1c2a4e-0f6b-4c39-9d1e-2b7f5c1e9a10");
        return resource;
    }

    private static ObjectNode readyStatus() {
        return status(GENERATION, "Running",
                condition("Ready", "True", "LoadersReady", "2 of 2 loader(s) ready.", GENERATION),
                condition("Reconciling", "False", "RolloutComplete", "The loaders run the current spec.", GENERATION),
                condition("Stalled", "False", "SpecValid", "The spec is valid.", GENERATION));
    }

    private static ObjectNode status(long observedGeneration, String phase, ObjectNode... conditions) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("observedGeneration", observedGeneration);
        status.put("phase", phase);
        ArrayNode list = status.putArray("conditions");
        for (ObjectNode condition : conditions) {
            list.add(condition);
        }
        return status;
    }

    private static ObjectNode condition(String type, String status, String reason, String message, long observedGeneration) {
        ObjectNode condition = JsonNodeFactory.instance.objectNode();
        condition.put("type", type);
        condition.put("status", status);
        condition.put("reason", reason);
        condition.put("message", message);
        condition.put("observedGeneration", observedGeneration);
        condition.put("lastTransitionTime", "2025-01-01T00:00:00Z");
        return condition;
    }
}
