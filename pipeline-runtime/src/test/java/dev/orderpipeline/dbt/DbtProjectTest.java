package dev.orderpipeline.dbt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.embedded.RepositoryPaths;
import dev.orderpipeline.testing.SharedKafka;
import dev.orderpipeline.verify.ExpectedOrders;
import dev.orderpipeline.verify.OrderState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real dbt project (dbt-core + dbt-duckdb from the project venv) on a warehouse the real
 * loader filled from a real topic with updates and deletions; model contents are checked against
 * the state computed independently from the topic.
 */
@ExtendWith(KafkaExtension.class)
class DbtProjectTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path warehouse;
    static ExpectedOrders expected;

    @BeforeAll
    static void loadOrders(EmbeddedKafka kafka) {
        String topic = SharedKafka.uniqueTopic("dbt");
        kafka.createTopic(topic, 3);
        OrderTopics.produceOrders(kafka, topic, 5_000, 0.2, 0.08, 21, 0);
        warehouse = dir.resolve("orders.duckdb");
        try (InProcessLoader loader = InProcessLoader.start(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, warehouse, "orderid"))) {
            await().atMost(Duration.ofMinutes(1)).until(() -> loader.committedRecords() == 5_000);
        }
        expected = ExpectedOrders.fromTopic(kafka.bootstrapServers(), topic);
        assertTrue(expected.tombstones() > 100, "the stream must delete orders");
    }

    @Test
    void dbtBuildTurnsTheLoadedOrdersIntoMartsThatMatchTheTopicAndSourcesAreFresh() throws Exception {
        Path target = dir.resolve("target-ok");
        ProcessResult build = dbt(target, "build");
        assertEquals(0, build.exitCode(), build.output());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT order_id), round(sum(order_units), 2) FROM main.fct_orders");
            rs.next();
            assertEquals(expected.live().size(), rs.getLong(1));
            assertEquals(expected.live().size(), rs.getLong(2));
            assertEquals(round(expected.live().values().stream().mapToDouble(OrderState::orderunits).sum()), rs.getDouble(3), 0.001);

            Map<String, Double> unitsByState = new HashMap<>();
            rs = s.executeQuery("SELECT state, round(total_units, 2) FROM main.agg_orders_by_state");
            while (rs.next()) {
                unitsByState.put(rs.getString(1), rs.getDouble(2));
            }
            Map<String, Double> expectedByState = expected.live().values().stream().collect(
                    Collectors.groupingBy(OrderState::state, Collectors.summingDouble(OrderState::orderunits)));
            assertEquals(expectedByState.keySet(), unitsByState.keySet());
            expectedByState.forEach((state, units) -> assertEquals(round(units), unitsByState.get(state), 0.001, state));

            rs = s.executeQuery("SELECT count(*) FROM main.fct_orders f JOIN main.\"ORDERS\" o ON o.\"ORDERID\" = f.order_id "
                    + "WHERE o.\"_DELETED\"");
            rs.next();
            assertEquals(0, rs.getLong(1), "no deleted order in the marts");
        }
        JsonNode summary = summarize(target.resolve("run_results.json"));
        assertEquals("ok", summary.get("status").asText());
        assertEquals(0, summary.get("tests").get("fail").asInt());
        assertTrue(summary.get("models").get("ok").asInt() >= 4, summary.toString());

        ProcessResult freshness = dbt(dir.resolve("target-fresh"), "source", "freshness");
        assertEquals(0, freshness.exitCode(), freshness.output());
        assertEquals(1, summarize(dir.resolve("target-fresh").resolve("sources.json")).get("sources").get("pass").asInt());
    }

    @Test
    void aFailingDbtTestIsNamedInTheRunSummary() throws Exception {
        Path target = dir.resolve("target-fail");
        ProcessResult build = dbt(target, "build", "--vars", "{fail_demo_test: true}");
        assertEquals(1, build.exitCode(), build.output());
        JsonNode summary = summarize(target.resolve("run_results.json"));
        assertEquals("error", summary.get("status").asText());
        assertEquals(1, summary.get("tests").get("fail").asInt());
        assertEquals("assert_fail_demo", summary.get("failing_tests").get(0).asText());
    }

    @Test
    void aMissingRunResultsFileGivesAnErrorSummaryNotATraceback() throws Exception {
        Path missing = dir.resolve("nowhere/run_results.json");
        ProcessResult result = run(List.of(RepositoryPaths.venvTool("python").toString(),
                RepositoryPaths.root().resolve("dbt/scripts/summarize_run_results.py").toString(), missing.toString()), Map.of());
        assertEquals(2, result.exitCode(), result.output());
        JsonNode summary = JSON.readTree(result.output().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertEquals("error", summary.get("status").asText());
        assertTrue(summary.get("error").asText().contains("not found"), summary.toString());
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static JsonNode summarize(Path runResults) throws Exception {
        ProcessResult result = run(List.of(RepositoryPaths.venvTool("python").toString(),
                RepositoryPaths.root().resolve("dbt/scripts/summarize_run_results.py").toString(), runResults.toString()), Map.of());
        return JSON.readTree(result.output().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow(() -> new AssertionError("no summary printed:\n" + result.output())));
    }

    private static ProcessResult dbt(Path target, String... args) throws Exception {
        Path project = RepositoryPaths.root().resolve("dbt");
        List<String> command = new ArrayList<>(List.of(RepositoryPaths.venvTool("dbt").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--target", "local", "--project-dir", project.toString(), "--profiles-dir", project.toString(),
                "--target-path", target.toString(), "--log-path", dir.resolve("dbt-logs").toString()));
        return run(command, Map.of("DBT_DUCKDB_PATH", warehouse.toString(), "DBT_SEND_ANONYMOUS_USAGE_STATS", "false"));
    }

    private static ProcessResult run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "process", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().putAll(env);
        Process process = pb.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 5 minutes");
        }
        return new ProcessResult(process.exitValue(), Files.readString(output));
    }

    record ProcessResult(int exitCode, String output) {
    }
}
