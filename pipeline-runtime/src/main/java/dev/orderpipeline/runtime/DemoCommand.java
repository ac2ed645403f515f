package dev.orderpipeline.runtime;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.generate.OrderProducer;
import dev.orderpipeline.load.LoaderStatus;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.verify.ExpectedOrders;
import dev.orderpipeline.verify.OrderState;
import dev.orderpipeline.verify.WarehouseOrders;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline-runtime demo}: the whole data path on embedded defaults. A real broker, generated
 * orders with updates, deletions and a few malformed records, the loader into a DuckDB file, and a
 * summary that is checked against the state recomputed from the topic.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Stream generated orders through a real Kafka broker into DuckDB, then check the result.")
final class DemoCommand implements Callable<Integer> {
    private static final String TOPIC = "orders";
    private static final String DEAD_LETTER_TOPIC = "orders-dlq";

    @Option(names = "--orders", defaultValue = "200000", description = "Change events to produce (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--malformed", defaultValue = "25", description = "Malformed records mixed in (default: ${DEFAULT-VALUE}).")
    int malformed;

    @Option(names = "--duckdb-path", defaultValue = "order-pipeline-demo.duckdb", description = "Warehouse file (recreated).")
    Path duckdbPath;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the orders topic.")
    int partitions;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Files.deleteIfExists(duckdbPath);
        Files.deleteIfExists(Path.of(duckdbPath + ".wal"));
        out.println("Order Pipeline demo: " + events + " order events through a real Kafka broker into DuckDB ("
                + duckdbPath + ")");
        long started = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic(TOPIC, partitions);
            kafka.createTopic(DEAD_LETTER_TOPIC, 1);
            out.println("  broker up at " + kafka.bootstrapServers());

            LoaderConfig config = LoaderConfig.from(new Environment(Map.of(
                    Setting.PIPELINE_NAME.envName(), "demo",
                    Setting.HTTP_PORT.envName(), "0",
                    Setting.KAFKA_BOOTSTRAP_SERVERS.envName(), kafka.bootstrapServers(),
                    Setting.KAFKA_TOPIC.envName(), TOPIC,
                    Setting.DUCKDB_PATH.envName(), duckdbPath.toString(),
                    Setting.SINK_KEY_FIELDS.envName(), "orderid",
                    Setting.BATCH_MAX_LATENCY.envName(), "500ms",
                    Setting.DEAD_LETTER_TOPIC.envName(), DEAD_LETTER_TOPIC)));
            long loadedRecords;
            try (LoaderProcess loader = new LoaderProcess(config, "127.0.0.1")) {
                Thread loaderThread = new Thread(loader::run, "loader");
                loaderThread.start();
                out.println("  loader running; /status at http://127.0.0.1:" + loader.httpPort() + "/status");
                produce(kafka.bootstrapServers());
                long total = endOffsetSum(kafka);
                awaitCommitted(kafka, loader.status(), total);
                loader.stop();
                loaderThread.join(Duration.ofSeconds(30).toMillis());
                loadedRecords = loader.status().snapshot().recordsLoaded();
            }
            return summarize(kafka, loadedRecords, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private void produce(String bootstrapServers) {
        try (ProgressBar bar = bar("produce", events)) {
            new OrderProducer(KafkaClientProperties.producer(bootstrapServers))
                    .produce(TOPIC, new OrderGenerator(7, 0.15, 0.05), events, 0, bar::stepTo);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientProperties.producer(bootstrapServers))) {
            for (int i = 0; i < malformed; i++) {
                byte[] bad = ("{\"orderid\": " + (i + 1) + ", \"itemid\": \"Item_1\", oops").getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(TOPIC, ("bad-" + i).getBytes(StandardCharsets.UTF_8), bad));
            }
        }
    }

    private void awaitCommitted(EmbeddedKafka kafka, LoaderStatus status, long total) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (ProgressBar bar = bar("load", total)) {
            while (true) {
                long committed = status.snapshot().committedOffsets().values().stream().mapToLong(Long::longValue).sum();
                bar.stepTo(committed);
                if (committed >= total) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the loader committed " + committed + " of " + total
                            + " records in 5 minutes; last error: " + status.snapshot().lastError());
                }
                Thread.sleep(200);
            }
        }
    }

    private long endOffsetSum(EmbeddedKafka kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
            }
            return admin.listOffsets(request).all().get().values().stream().mapToLong(r -> r.offset()).sum();
        }
    }

    private int summarize(EmbeddedKafka kafka, long loadedRecords, Duration elapsed) throws Exception {
        ExpectedOrders expected = ExpectedOrders.fromTopic(kafka.bootstrapServers(), TOPIC);
        long deadLettered = ExpectedOrders.fromTopic(kafka.bootstrapServers(), DEAD_LETTER_TOPIC).events();
        Map<Long, OrderState> actual;
        List<String> unitsByState;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdbPath)) {
            actual = WarehouseOrders.live(c, "\"main\".\"ORDERS\"");
            unitsByState = unitsByState(c);
        }
        boolean accountedFor = loadedRecords + deadLettered == expected.events();
        boolean deadLetterMatches = deadLettered == expected.malformed();
        boolean stateMatches = actual.equals(expected.live());
        out.println();
        out.println("Summary (" + elapsed.toSeconds() + " s)");
        out.printf("  %-34s %,12d%n", "events produced", expected.events());
        out.printf("  %-34s %,12d%n", "  of which deletions (tombstones)", expected.tombstones());
        out.printf("  %-34s %,12d%n", "  of which malformed", expected.malformed());
        out.printf("  %-34s %,12d%n", "records loaded", loadedRecords);
        out.printf("  %-34s %,12d%n", "records dead-lettered", deadLettered);
        out.printf("  %-34s %,12d%n", "live orders expected (from topic)", expected.live().size());
        out.printf("  %-34s %,12d%n", "live orders in DuckDB", actual.size());
        out.println();
        out.println("  Units by state (top 5, live orders):");
        unitsByState.forEach(line -> out.println("    " + line));
        out.println();
        check("loaded + dead-lettered = produced", accountedFor);
        check("every malformed record is in " + DEAD_LETTER_TOPIC, deadLetterMatches);
        check("DuckDB equals the state recomputed from the topic", stateMatches);
        return accountedFor && deadLetterMatches && stateMatches ? 0 : 1;
    }

    private List<String> unitsByState(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"ADDRESS_STATE\", count(*), round(sum(\"ORDERUNITS\"), 2) FROM \"main\".\"ORDERS\" "
                        + "WHERE NOT \"_DELETED\" GROUP BY 1 ORDER BY 3 DESC LIMIT 5")) {
            List<String> lines = new java.util.ArrayList<>();
            while (rs.next()) {
                lines.add(String.format("%-10s %,8d orders %,12.2f units", rs.getString(1), rs.getLong(2), rs.getDouble(3)));
            }
            return lines;
        }
    }

    private void check(String what, boolean ok) {
        out.println("  [" + (ok ? "ok" : "FAILED") + "] " + what);
    }

    private static ProgressBar bar(String task, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).continuousUpdate().build();
    }
}
