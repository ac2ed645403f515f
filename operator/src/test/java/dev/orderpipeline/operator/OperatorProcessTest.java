package dev.orderpipeline.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.PipelineState;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SourceSpec;
import dev.orderpipeline.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator process as {@link OperatorMain} runs it: leader election with a Lease, only the configured
 * namespaces watched, /healthz, /readyz and JOSDK's metrics on /metrics.
 */
class OperatorProcessTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private KubernetesMockServer server;
    private KubernetesClient client;
    private OperatorProcess process;

    @BeforeEach
    void startApiServer() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init();
        // JOSDK asks the API server whether it may use Leases before it campaigns.
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
                        .withApiGroups("coordination.k8s.io").withResources("leases")
                        .withVerbs("get", "create", "update").endResourceRule().withIncomplete(false).endStatus()
                        .build()).always();
        client = server.createClient();
        for (String file : new String[] {"orderpipelines.orderpipeline.dev-v1.yml", "cdcsyncs.orderpipeline.dev-v1.yml"}) {
            try (InputStream yaml = getClass().getResourceAsStream("/META-INF/fabric8/" + file)) {
                client.resource(client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class)).create();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        for (String ns : new String[] {"operator-system", "team-a", "team-b"}) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
    }

    @AfterEach
    void stop() {
        if (process != null) {
            process.close();
        }
        client.close();
        server.destroy();
    }

    @Test
    void theLeaderHoldsTheLeaseServesProbesAndMetricsAndReconcilesOnlyItsNamespaces() throws Exception {
        OperatorSettings settings = new OperatorSettings(OperatorHarness.RUNTIME_IMAGE, Duration.ofSeconds(1),
                Set.of("team-a"));
        ProcessSettings processSettings = new ProcessSettings(0, true, "opl-test", Optional.of("operator-system"),
                "operator-pod-1", new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(4)));
        process = OperatorProcess.start(settings, processSettings, client, Clock.systemUTC(),
                o -> o.withSSABasedCreateUpdateMatchForDependentResources(false).withUseSSAToPatchPrimaryResource(false)
                        .withCloseClientOnStop(false));

        await().atMost(Duration.ofSeconds(30)).until(process::leading);
        Lease lease = client.leases().inNamespace("operator-system").withName("opl-test").get();
        assertEquals("operator-pod-1", lease.getSpec().getHolderIdentity());
        assertEquals(30, lease.getSpec().getLeaseDurationSeconds(), "the configured lease duration, not the default 15 s");
        assertEquals(200, get("/healthz").statusCode());
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/readyz").statusCode() == 200);

        for (String ns : new String[] {"team-a", "team-b"}) {
            client.resource(TestPipelines.pipeline(ns, "orders", duckDbSpec())).create();
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                client.apps().deployments().inNamespace("team-a").withName("orders-loader").get() != null);
        Thread.sleep(1000);
        assertNull(client.apps().deployments().inNamespace("team-b").withName("orders-loader").get(),
                "team-b is not watched");

        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("operator_sdk_"), "JOSDK metrics on /metrics");
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics on /metrics");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + process.httpPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static OrderPipelineSpec duckDbSpec() {
        return new OrderPipelineSpec(new SourceSpec("kafka.invalid:9092", "orders", null, null, null, null, null),
                new SinkSpec(SinkSpec.Type.DUCKDB, null, null, null, null), null, null, null, null, null,
                PipelineState.RUNNING);
    }
}
