package dev.orderpipeline.operator.status;

import static dev.orderpipeline.operator.TestPipelines.pipeline;
import static dev.orderpipeline.operator.TestPipelines.secrets;
import static dev.orderpipeline.operator.TestPipelines.snowflakeSpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.orderpipeline.cdc.replication.CdcStatus;
import dev.orderpipeline.load.LoaderState;
import dev.orderpipeline.load.LoaderStatus;
import dev.orderpipeline.operator.OperatorHarness;
import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.TestSyncs;
import dev.orderpipeline.operator.api.CdcSync;
import dev.orderpipeline.operator.api.CdcSyncCost;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.SchemaRegistrySpec;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.dependent.LoaderResources;
import dev.orderpipeline.operator.dependent.ReplicatorResources;
import dev.orderpipeline.operator.reconciler.CdcSyncReconciler;
import dev.orderpipeline.operator.reconciler.OrderPipelineReconciler;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator reads {@code /status} of the running loader pods: here a real HTTP server on loopback
 * serving the runtime's own {@link LoaderStatus.Snapshot} as JSON, behind a Pod whose IP is 127.0.0.1.
 */
class RuntimeStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant COMMITTED = Instant.parse("2025-11-26T10:15:30.123Z");

    private HttpServer server;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong loaded = new AtomicLong(1000);
    /** The loader's sinkStalledSince: when its warehouse commit that has not returned started. */
    private final AtomicReference<String> stalledSince = new AtomicReference<>();
    /** When set, served instead of the loader's snapshot (a replicator's /status, or a loader's as JSON fields). */
    private final AtomicReference<Object> servedInstead = new AtomicReference<>();
    private OperatorHarness harness;
    private KubernetesClient client;
    private String namespace;

    @BeforeEach
    void startRuntimeEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/status", exchange -> {
            requests.incrementAndGet();
            Map<Integer, Long> offsets = new TreeMap<>(Map.of(0, 600L, 1, 400L));
            LoaderStatus.Snapshot snapshot = new LoaderStatus.Snapshot(1200, loaded.get(), 3, 7,
                    COMMITTED.toString(), 1500L, offsets, null, stalledSince.get() == null ? List.of() : List.of(0, 1),
                    stalledSince.get(), 0, null, null, 0, null, List.of(),
                    stalledSince.get() == null ? LoaderState.LOADING : LoaderState.STALLED, COMMITTED.toString(), null);
            byte[] body = JSON.writeValueAsBytes(servedInstead.get() != null ? servedInstead.get() : snapshot);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        server.stop(0);
    }

    @Test
    void recordsLoadedLastCommitAndFreshnessComeFromTheRunningLoaderPodsReadyOrNot() {
        harness = OperatorHarness.start(s -> s.withRuntimeStatus(server.getAddress().getPort(), Duration.ofMillis(200)));
        client = harness.client();
        namespace = harness.newNamespace("runtime");
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-ready", true);
        // A loader whose warehouse writes fail is running but not ready: its /status is where it says why.
        createLoaderPod(created, "orders-loader-failing", false);
        createLoaderPod(created, "orders-loader-pending", "Pending", false);

        await().atMost(Duration.ofSeconds(20)).until(() -> pipelineNow().getStatus() != null
                && pipelineNow().getStatus().recordsLoaded() != null);
        OrderPipeline reported = pipelineNow();
        assertEquals(2000L, reported.getStatus().recordsLoaded(), "both running pods are read, the pending one is not");
        assertEquals(COMMITTED.toString(), reported.getStatus().lastCommitTime());
        assertEquals(2L, reported.getStatus().freshnessSeconds(), "1500 ms rounded up");
    }

    @Test
    void aBusyLoaderCausesAtMostOneStatusWritePerReadingIntervalHoweverOftenItIsReconciled() {
        // Reconciled every 100 ms (resync and source polling), /status read at most every 2 s.
        harness = OperatorHarness.startWithResyncEvery(Duration.ofMillis(100),
                s -> s.withRuntimeStatus(server.getAddress().getPort(), Duration.ofSeconds(2))
                        .withSourcePollInterval(Duration.ofMillis(100)));
        client = harness.client();
        namespace = harness.newNamespace("runtime");
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-ready", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> pipelineNow().getStatus() != null
                && pipelineNow().getStatus().recordsLoaded() != null);

        // Every request now reports more records, as a busy loader would.
        Set<String> versions = new HashSet<>();
        long requestsBefore = requests.get();
        int reconcilesBefore = harness.reconcilesOf(created);
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
            loaded.addAndGet(500);
            versions.add(pipelineNow().getMetadata().getResourceVersion());
            sleep(50);
        }
        int reconciles = harness.reconcilesOf(created) - reconcilesBefore;
        long reads = requests.get() - requestsBefore;
        assertTrue(reconciles >= 8, "reconciled " + reconciles + " times");
        assertTrue(reads < reconciles, reads + " reads for " + reconciles + " reconciles");
        assertTrue(reads <= 4, "read /status " + reads + " times in 5 s at a 2 s interval");
        assertTrue(versions.size() <= reads + 1, versions.size() + " status versions for " + reads + " readings");
    }

    @Test
    void aLoaderCommitThatHasNotReturnedForMinutesTurnsSinkWritingFalseUntilItReturns() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-ready", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(sinkWriting().getStatus()));

        String since = Instant.now().minus(Duration.ofMinutes(5)).toString();
        stalledSince.set(since);
        await().atMost(Duration.ofSeconds(20)).until(() -> "False".equals(sinkWriting().getStatus()));
        Condition stalled = sinkWriting();
        assertEquals("SinkStalled", stalled.getReason());
        assertTrue(stalled.getMessage().contains(since), stalled.getMessage());

        // A commit running for seconds is backpressure (a slow MERGE), not a stall.
        stalledSince.set(Instant.now().minusSeconds(5).toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(sinkWriting().getStatus()));
        assertEquals("Committing", sinkWriting().getReason());
    }

    @Test
    void aLoaderRetryingFailedWritesForMinutesTurnsSinkWritingFalseWithItsLastError() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        String since = Instant.now().minus(Duration.ofMinutes(3)).toString();
        servedInstead.set(loaderFields(Map.of("retryingSince", since,
                "lastError", "committing a batch of 500 records failed: PSQLException: connection refused")));
        createLoaderPod(created, "orders-loader-failing", false);

        await().atMost(Duration.ofSeconds(20)).until(() -> "False".equals(sinkWriting().getStatus()));
        Condition failing = sinkWriting();
        assertEquals("SinkFailing", failing.getReason());
        assertTrue(failing.getMessage().contains(since) && failing.getMessage().contains("connection refused"),
                failing.getMessage());

        // Failing for seconds is a warehouse blip the loader rides out: not reported yet.
        servedInstead.set(loaderFields(Map.of("retryingSince", Instant.now().minusSeconds(5).toString())));
        await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(sinkWriting().getStatus()));

        String deadLettersSince = Instant.now().minus(Duration.ofMinutes(4)).toString();
        servedInstead.set(loaderFields(Map.of("deadLetterUnavailableSince", deadLettersSince)));
        await().atMost(Duration.ofSeconds(20)).until(() -> "False".equals(sinkWriting().getStatus()));
        assertEquals("DeadLetterUnavailable", sinkWriting().getReason());
        assertTrue(sinkWriting().getMessage().contains(deadLettersSince), sinkWriting().getMessage());
    }

    @Test
    void aSchemaRegistryThatHasNotAnsweredForMinutesDegradesThePipelineNamingTheRegistryHostButNoCredentialOnce()
            throws InterruptedException {
        startOperatorReadingEvery200Ms();
        // The loader's error names the URL it was given; one with credentials (from before the CRD refused them) is scrubbed.
        OrderPipeline created = applyWithRegistry("https://psrc-orders.region.invalid:8443");
        createLoaderPod(created, "orders-loader-waiting", false);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "True".equals(condition(ConditionType.SchemaRegistryAvailable).getStatus()));
        assertEquals("Answering", condition(ConditionType.SchemaRegistryAvailable).getReason());

        // Waiting for seconds (a registry restarting) is ridden out: still reported as answering.
        String lastError = "the Schema Registry at https://sr-key:sr-secret@psrc-orders.region.invalid:8443 does not "
                + "answer (java.net.ConnectException)";
        servedInstead.set(loaderFields(Map.of("schemaRegistryUnavailableSince", Instant.now().minusSeconds(5).toString(),
                "retryingSince", Instant.now().minusSeconds(5).toString(), "lastError", lastError, "state", "STALLED")));
        Thread.sleep(600); // three readings at 200 ms
        assertEquals("True", condition(ConditionType.SchemaRegistryAvailable).getStatus());

        String since = Instant.now().minus(Duration.ofMinutes(3)).toString();
        servedInstead.set(loaderFields(Map.of("schemaRegistryUnavailableSince", since, "retryingSince", since,
                "lastError", lastError, "state", "STALLED")));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "False".equals(condition(ConditionType.SchemaRegistryAvailable).getStatus()));
        Condition unavailable = condition(ConditionType.SchemaRegistryAvailable);
        assertEquals("SchemaRegistryUnavailable", unavailable.getReason());
        assertTrue(unavailable.getMessage().contains("psrc-orders.region.invalid:8443")
                && unavailable.getMessage().contains(since)
                && unavailable.getMessage().contains("ConnectException"), unavailable.getMessage());
        assertTrue(!unavailable.getMessage().contains("sr-key") && !unavailable.getMessage().contains("sr-secret"),
                unavailable.getMessage());
        OrderPipeline reported = pipelineNow();
        assertEquals("Degraded", reported.getStatus().phase(), "loading has stopped");
        // The waiting loader is not ready: that is the registry, not a rollout in progress.
        assertEquals("SchemaRegistryUnavailable", condition(ConditionType.Ready).getReason());
        assertEquals("False", condition(ConditionType.Reconciling).getStatus());
        // The loader retries because of the registry, not because the warehouse refuses its writes.
        assertEquals("True", sinkWriting().getStatus(), sinkWriting().getMessage());

        Thread.sleep(600); // three more readings of the same outage
        List<Event> warnings = events("orders", "SchemaRegistryUnavailable");
        assertEquals(1, warnings.size(), "one Event per outage");
        assertEquals("Warning", warnings.get(0).getType());
        assertTrue(warnings.get(0).getMessage().contains("psrc-orders.region.invalid")
                && !warnings.get(0).getMessage().contains("sr-secret"), warnings.get(0).getMessage());

        servedInstead.set(null);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "True".equals(condition(ConditionType.SchemaRegistryAvailable).getStatus()));
        await().atMost(Duration.ofSeconds(20)).until(() -> events("orders", "SchemaRegistryAvailable").size() == 1);
        assertEquals("Normal", events("orders", "SchemaRegistryAvailable").get(0).getType());
        assertEquals(1, events("orders", "SchemaRegistryUnavailable").size());
    }

    @Test
    void aPipelineWithoutASchemaRegistryHasNoSchemaRegistryCondition() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-ready", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(sinkWriting().getStatus()));
        assertEquals(Optional.empty(), Conditions.find(pipelineNow().getStatus().conditions(),
                ConditionType.SchemaRegistryAvailable));
    }

    @Test
    void partitionsHeldOrResetOutsideTheLogTurnOffsetsInRangeFalseNamingTheSetting() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-ready", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(condition(ConditionType.OffsetsInRange).getStatus()));

        servedInstead.set(loaderFields(Map.of("outOfRangePartitions", List.of(2, 0), "offsetResets", 2,
                "lastOffsetReset", Map.of("partition", 2, "storedOffset", 120, "logStartOffset", 500))));
        await().atMost(Duration.ofSeconds(20)).until(() -> "False".equals(condition(ConditionType.OffsetsInRange).getStatus()));
        Condition held = condition(ConditionType.OffsetsInRange);
        assertEquals("OffsetOutOfRange", held.getReason());
        assertTrue(held.getMessage().contains("[0, 2]") && held.getMessage().contains("spec.source.offsetReset")
                && held.getMessage().contains("\"storedOffset\":120"), held.getMessage());

        servedInstead.set(loaderFields(Map.of("offsetResets", 1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> "OffsetsReset".equals(condition(ConditionType.OffsetsInRange).getReason()));
        assertEquals("False", condition(ConditionType.OffsetsInRange).getStatus());
    }

    @Test
    void recordsLoadedNeverGoesBackwardsWhenALoaderPodIsReplacedOrScaledDown() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-a", "Running", true, "uid-a", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(1000).equals(recordsLoaded()));
        loaded.set(1500);
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(1500).equals(recordsLoaded()));

        // The pod is replaced (a restart, a rollout): the new one counts from zero.
        client.pods().inNamespace(namespace).withName("orders-loader-a").withGracePeriod(0).delete();
        loaded.set(200);
        createLoaderPod(created, "orders-loader-b", "Running", true, "uid-b", null);

        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(1700).equals(recordsLoaded()));
        loaded.set(100);
        sleep(1000);
        assertEquals(1700L, recordsLoaded(), "a counter that went down adds nothing and takes nothing away");
    }

    @Test
    void aCrashLoopingLoaderTurnsThePipelineDegradedNamingItsExitCodeAndMessage() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-crashing", "Running", false, "uid-crash", new ContainerStatusBuilder()
                .withName("loader").withImage(OperatorHarness.RUNTIME_IMAGE).withRestartCount(5)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                .withMessage("back-off 2m40s restarting failed container").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(2).withReason("Error")
                .withMessage("ConfigException: OPL_SNOWFLAKE_PRIVATE_KEY is not a PKCS#8 key").endTerminated().endLastState()
                .build());

        await().atMost(Duration.ofSeconds(20)).until(() -> "CrashLooping".equals(condition(ConditionType.Ready).getReason()));
        OrderPipeline reported = pipelineNow();
        assertEquals("Degraded", reported.getStatus().phase());
        Condition ready = condition(ConditionType.Ready);
        assertEquals("False", ready.getStatus());
        assertTrue(ready.getMessage().contains("exit code 2") && ready.getMessage().contains("not a PKCS#8 key")
                && ready.getMessage().contains("5 restart"), ready.getMessage());
        assertEquals("False", condition(ConditionType.Reconciling).getStatus(), "not a rollout in progress");
    }

    @Test
    void aLoaderImageThatCannotBePulledTurnsThePipelineDegraded() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-nopull", "Pending", false, "uid-pull", new ContainerStatusBuilder()
                .withName("loader").withImage("registry.invalid/runtime:missing").withRestartCount(0)
                .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image").endWaiting().endState().build());

        await().atMost(Duration.ofSeconds(20)).until(() -> "ImagePullFailed".equals(condition(ConditionType.Ready).getReason()));
        assertTrue(condition(ConditionType.Ready).getMessage().contains("registry.invalid/runtime:missing"),
                condition(ConditionType.Ready).getMessage());
        assertEquals("Degraded", pipelineNow().getStatus().phase());
    }

    @Test
    void aRolloutPastItsProgressDeadlineTurnsThePipelineDegraded() {
        startOperatorReadingEvery200Ms();
        apply();
        Deployment deployment = awaitDeployment();
        deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(2).withUpdatedReplicas(1).withReadyReplicas(1)
                .addNewCondition().withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"orders-loader-5d8\" has timed out progressing.").endCondition()
                .build());
        client.resource(deployment).updateStatus();

        await().atMost(Duration.ofSeconds(20)).until(() -> "RolloutStuck".equals(condition(ConditionType.Ready).getReason()));
        assertTrue(condition(ConditionType.Ready).getMessage().contains("has timed out progressing"),
                condition(ConditionType.Ready).getMessage());
        assertEquals("Degraded", pipelineNow().getStatus().phase());
    }

    @Test
    void aDeploymentThatCannotCreatePodsTurnsThePipelineDegraded() {
        startOperatorReadingEvery200Ms();
        apply();
        Deployment deployment = awaitDeployment();
        // The ReplicaSet's pods are refused (a ResourceQuota, an admission webhook): none exists to crash or pull.
        deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(0).withUpdatedReplicas(0).withReadyReplicas(0).withUnavailableReplicas(2)
                .addNewCondition().withType("ReplicaFailure").withStatus("True").withReason("FailedCreate")
                .withMessage("pods \"orders-loader-5d8-x\" is forbidden: exceeded quota: compute-resources")
                .endCondition()
                .addNewCondition().withType("Progressing").withStatus("True").withReason("ReplicaSetUpdated").endCondition()
                .build());
        client.resource(deployment).updateStatus();

        await().atMost(Duration.ofSeconds(20)).until(() -> "RolloutStuck".equals(condition(ConditionType.Ready).getReason()));
        String message = condition(ConditionType.Ready).getMessage();
        assertTrue(message.contains("cannot create pods") && message.contains("FailedCreate")
                && message.contains("exceeded quota"), message);
        assertEquals("Degraded", pipelineNow().getStatus().phase());
        assertEquals("False", condition(ConditionType.Reconciling).getStatus(), "not a rollout in progress");
    }

    @Test
    void aLoaderContainerThatCannotBeCreatedTurnsThePipelineDegraded() {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-noconfig", "Pending", false, "uid-config", new ContainerStatusBuilder()
                .withName("loader").withImage(OperatorHarness.RUNTIME_IMAGE).withRestartCount(0)
                .withNewState().withNewWaiting().withReason("CreateContainerConfigError")
                .withMessage("couldn't find key api-secret in Secret confluent-api-key").endWaiting().endState().build());

        await().atMost(Duration.ofSeconds(20)).until(() ->
                "ContainerConfigError".equals(condition(ConditionType.Ready).getReason()));
        assertTrue(condition(ConditionType.Ready).getMessage().contains("couldn't find key api-secret"),
                condition(ConditionType.Ready).getMessage());
        assertEquals("Degraded", pipelineNow().getStatus().phase());
    }

    @Test
    void addingLoadersToAHealthyPipelineKeepsItReadyWhileTheNewOnesStart() {
        startOperatorReadingEvery200Ms();
        apply();
        Deployment deployment = awaitDeployment();
        // Two loaders asked for, every pod on the current template, one ready so far.
        deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(2).withUpdatedReplicas(2).withReadyReplicas(1).withAvailableReplicas(1).build());
        client.resource(deployment).updateStatus();

        await().atMost(Duration.ofSeconds(20)).until(() -> "Scaling".equals(condition(ConditionType.Reconciling).getReason()));
        assertEquals("True", condition(ConditionType.Ready).getStatus(), condition(ConditionType.Ready).getMessage());
        assertEquals("Running", pipelineNow().getStatus().phase());
    }

    @Test
    void everyFieldTheOperatorReadsIsOneTheLoaderWrites() {
        Set<String> written = Arrays.stream(LoaderStatus.Snapshot.class.getRecordComponents())
                .map(RecordComponent::getName).collect(Collectors.toSet());
        Set<String> read = Arrays.stream(RuntimeStatusReader.LoaderSnapshot.class.getRecordComponents())
                .map(RecordComponent::getName).collect(Collectors.toSet());
        read.removeAll(written);
        assertEquals(Set.of(), read, "fields the operator reads but the loader's /status does not have");
    }

    /** A loader's /status as JSON fields: a healthy snapshot's, with {@code overrides}. */
    private Map<String, Object> loaderFields(Map<String, Object> overrides) {
        Map<String, Object> fields = new TreeMap<>(Map.of("recordsLoaded", loaded.get(), "lastCommitTime", COMMITTED.toString(),
                "lastFreshnessMillis", 1500L));
        fields.putAll(overrides);
        return fields;
    }

    @Test
    void theReplicatorsStatusFillsRowsLagAndWatermarkOfTheCdcSync() {
        startOperatorReadingEvery200Ms();
        servedInstead.set(new CdcStatus.Snapshot(namespace + ".replicate", "cursor", "Running", 420, 17, 9000, 300, 12,
                COMMITTED.toString(), 3L, 2500L, "UPDATED_AT=2025-11-26T10:15:00Z", Map.of(), false, false, null,
                Map.of("readsRun", 40, "readsSkipped", 320, "markerChecks", 360, "readSeconds", 12.5,
                        "estimatedWarehouseSeconds", 2460.0)));
        createSyncWithAReadyReplicatorPod();

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            CdcSync now = client.resources(CdcSync.class).inNamespace(namespace).withName("replicate").get();
            return now.getStatus() != null && now.getStatus().rowsUpserted() != null;
        });
        CdcSync reported = client.resources(CdcSync.class).inNamespace(namespace).withName("replicate").get();
        assertEquals(420L, reported.getStatus().rowsUpserted());
        assertEquals(17L, reported.getStatus().rowsDeleted());
        assertEquals(3L, reported.getStatus().lagSeconds());
        assertEquals(COMMITTED.toString(), reported.getStatus().lastSyncTime());
        assertEquals("UPDATED_AT=2025-11-26T10:15:00Z", reported.getStatus().watermark());
        assertEquals(new CdcSyncCost(40L, 320L, 2460.0), reported.getStatus().cost(), "what the sync costs its warehouse");

        assertEquals(List.of(), eventReasons("replicate", CdcSyncReconciler.RESUMING_STORED_STATE),
                "a replicator that started a new sync is no surprise");
    }

    @Test
    void aNewCdcSyncWhoseReplicatorResumedAStoredStateSaysSoOnceWithAWarning() throws InterruptedException {
        startOperatorReadingEvery200Ms();
        servedInstead.set(new CdcStatus.Snapshot(namespace + ".replicate", "cursor", "Incremental", 0, 0, 9000, 300, 0,
                null, 0L, null, "UPDATED_AT=2025-11-26T10:15:00Z", Map.of(), false, false, null, null,
                "UPDATED_AT=2025-11-26T10:15:00Z"));
        createSyncWithAReadyReplicatorPod();

        await().atMost(Duration.ofSeconds(20)).until(() ->
                eventReasons("replicate", CdcSyncReconciler.RESUMING_STORED_STATE).size() == 1);
        Event warning = client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> CdcSyncReconciler.RESUMING_STORED_STATE.equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("Warning", warning.getType());
        assertTrue(warning.getMessage().contains("UPDATED_AT=2025-11-26T10:15:00Z")
                && warning.getMessage().contains("orderpipeline_cdc_state"), warning.getMessage());
        // Later readings (the same answer, once the status holds the replicator's rows) say nothing more.
        await().atMost(Duration.ofSeconds(20)).until(() -> client.resources(CdcSync.class).inNamespace(namespace)
                .withName("replicate").get().getStatus().rowsUpserted() != null);
        Thread.sleep(600); // three more readings at 200 ms
        assertEquals(1, eventReasons("replicate", CdcSyncReconciler.RESUMING_STORED_STATE).size());
    }

    @Test
    void aNewPipelineWhoseLoadersResumedOffsetsStoredWithTheWarehouseSaysSoOnceEvenWithoutAConsumerGroup()
            throws InterruptedException {
        startOperatorReadingEvery200Ms();
        // A loader that took its positions from an ORDERPIPELINE_OFFSETS row and has loaded nothing yet; the source is
        // not reachable here, so the consumer group (deleted, or its offsets expired) cannot say it.
        Map<String, Object> resumed = new TreeMap<>(Map.of("recordsLoaded", 0, "committedOffsets", Map.of("0", 600, "1", 400)));
        servedInstead.set(resumed);
        OrderPipeline created = apply();
        createLoaderPod(created, "orders-loader-resumed", true);

        await().atMost(Duration.ofSeconds(20)).until(() ->
                eventReasons("orders", OrderPipelineReconciler.RESUMING_STORED_OFFSETS).size() == 1);
        Event warning = client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> OrderPipelineReconciler.RESUMING_STORED_OFFSETS.equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("Warning", warning.getType());
        assertTrue(warning.getMessage().contains("2 partition(s)") && warning.getMessage().contains("ORDERPIPELINE_OFFSETS"),
                warning.getMessage());
        // Once it loads and commits, later readings say nothing more.
        servedInstead.set(null);
        await().atMost(Duration.ofSeconds(20)).until(() -> pipelineNow().getStatus().lastCommitTime() != null);
        Thread.sleep(600); // three more readings at 200 ms
        assertEquals(1, eventReasons("orders", OrderPipelineReconciler.RESUMING_STORED_OFFSETS).size());
    }

    @Test
    void loadersThatCommittedThemselvesNeverCountAsResumingStoredOffsets() throws InterruptedException {
        startOperatorReadingEvery200Ms();
        OrderPipeline created = apply(); // the served loader has loaded 1000 records and committed them itself
        createLoaderPod(created, "orders-loader-ready", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> pipelineNow().getStatus() != null
                && pipelineNow().getStatus().lastCommitTime() != null);
        Thread.sleep(600);
        assertEquals(List.of(), eventReasons("orders", OrderPipelineReconciler.RESUMING_STORED_OFFSETS));
    }

    @Test
    void aCrashLoopingReplicatorTurnsTheCdcSyncDegradedNamingItsExitCodeAndMessage() {
        startOperatorReadingEvery200Ms();
        TestPipelines.secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(TestSyncs.postgresSecret(namespace)).create();
        CdcSync sync = client.resource(TestSyncs.sync(namespace, "replicate", TestSyncs.snowflakeCursorSpec())).create();
        Pod pod = new PodBuilder().withNewMetadata().withName("replicate-replicator-x").withNamespace(namespace)
                .withLabels(ReplicatorResources.labels(sync)).endMetadata()
                .withNewSpec().addNewContainer().withName("replicator").withImage(OperatorHarness.RUNTIME_IMAGE)
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus("False").endCondition()
                .withContainerStatuses(new ContainerStatusBuilder().withName("replicator")
                        .withImage(OperatorHarness.RUNTIME_IMAGE).withRestartCount(4)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(2)
                        .withMessage("ConfigException: OPL_POSTGRES_SSLMODE is not one of its values").endTerminated()
                        .endLastState().build())
                .endStatus().build();
        Pod created = client.resource(pod).create();
        if (created.getStatus() == null || created.getStatus().getContainerStatuses().isEmpty()) {
            created.setStatus(pod.getStatus());
            client.resource(created).updateStatus();
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            CdcSync now = client.resources(CdcSync.class).inNamespace(namespace).withName("replicate").get();
            return now.getStatus() != null && Conditions.find(now.getStatus().conditions(), ConditionType.Ready)
                    .filter(c -> "CrashLooping".equals(c.getReason())).isPresent();
        });
        CdcSync reported = client.resources(CdcSync.class).inNamespace(namespace).withName("replicate").get();
        assertEquals("Degraded", reported.getStatus().phase());
        Condition ready = Conditions.find(reported.getStatus().conditions(), ConditionType.Ready).orElseThrow();
        assertEquals("False", ready.getStatus());
        assertTrue(ready.getMessage().contains("exit code 2") && ready.getMessage().contains("OPL_POSTGRES_SSLMODE"),
                ready.getMessage());
    }

    private void createSyncWithAReadyReplicatorPod() {
        TestPipelines.secrets(namespace).forEach(secret -> client.resource(secret).create());
        client.resource(TestSyncs.postgresSecret(namespace)).create();
        CdcSync sync = client.resource(TestSyncs.sync(namespace, "replicate", TestSyncs.snowflakeCursorSpec())).create();
        Pod pod = new PodBuilder().withNewMetadata().withName("replicate-replicator-x").withNamespace(namespace)
                .withLabels(ReplicatorResources.labels(sync)).endMetadata()
                .withNewSpec().addNewContainer().withName("replicator").withImage(OperatorHarness.RUNTIME_IMAGE)
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        Pod created = client.resource(pod).create();
        if (created.getStatus() == null || created.getStatus().getPodIP() == null) {
            created.setStatus(pod.getStatus());
            client.resource(created).updateStatus();
        }

    }

    private List<String> eventReasons(String involvedName, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getReason).toList();
    }

    /** The operator reading /status and the source every 200 ms, and a fresh namespace. */
    private void startOperatorReadingEvery200Ms() {
        harness = OperatorHarness.start(s -> s.withRuntimeStatus(server.getAddress().getPort(), Duration.ofMillis(200))
                .withSourcePollInterval(Duration.ofMillis(200)));
        client = harness.client();
        namespace = harness.newNamespace("runtime");
    }

    private OrderPipeline apply() {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        return client.resource(pipeline(namespace, "orders", snowflakeSpec())).create();
    }

    /** The test pipeline reading Avro through the Schema Registry at {@code url}. */
    private OrderPipeline applyWithRegistry(String url) {
        secrets(namespace).forEach(secret -> client.resource(secret).create());
        OrderPipelineSpec json = snowflakeSpec();
        SourceSpec source = json.source();
        OrderPipelineSpec avro = new OrderPipelineSpec(new SourceSpec(source.bootstrapServers(), source.topic(),
                source.consumerGroup(), SourceSpec.Format.AVRO, null, new SchemaRegistrySpec(url, null, null, null),
                source.startPosition(), source.offsetReset(), source.security()),
                json.sink(), json.batch(), json.scaling(), json.deadLetter(), json.dbt(), json.monitoring(), json.state());
        return client.resource(pipeline(namespace, "orders", avro)).create();
    }

    private List<Event> events(String involvedName, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .toList();
    }

    private void createLoaderPod(OrderPipeline pipeline, String name, boolean ready) {
        createLoaderPod(pipeline, name, "Running", ready);
    }

    private void createLoaderPod(OrderPipeline pipeline, String name, String phase, boolean ready) {
        createLoaderPod(pipeline, name, phase, ready, null, null);
    }

    private void createLoaderPod(OrderPipeline pipeline, String name, String phase, boolean ready, String uid,
                                 ContainerStatus container) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withUid(uid)
                .withLabels(LoaderResources.labels(pipeline)).endMetadata()
                .withNewSpec().addNewContainer().withName("loader").withImage(OperatorHarness.RUNTIME_IMAGE).endContainer()
                .endSpec()
                .withNewStatus().withPhase(phase).withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .withContainerStatuses(container == null ? List.of() : List.of(container))
                .endStatus().build();
        Pod created = client.resource(pod).create();
        if (created.getStatus() == null || created.getStatus().getPodIP() == null) {
            created.setStatus(pod.getStatus());
            client.resource(created).updateStatus();
        }
    }

    private Deployment awaitDeployment() {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                client.apps().deployments().inNamespace(namespace).withName("orders-loader").get() != null);
        return client.apps().deployments().inNamespace(namespace).withName("orders-loader").get();
    }

    private Long recordsLoaded() {
        OrderPipeline now = pipelineNow();
        return now.getStatus() == null ? null : now.getStatus().recordsLoaded();
    }

    private Condition sinkWriting() {
        return condition(ConditionType.SinkWriting);
    }

    private Condition condition(ConditionType type) {
        OrderPipeline now = pipelineNow();
        return now.getStatus() == null ? new Condition() : Conditions.find(now.getStatus().conditions(), type)
                .orElseGet(Condition::new);
    }

    private OrderPipeline pipelineNow() {
        return client.resources(OrderPipeline.class).inNamespace(namespace).withName("orders").get();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
