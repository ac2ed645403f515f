package dev.orderpipeline.runtime;

import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.cdc.replication.CdcStatus;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.FormatConfig.SchemaRegistryConfig;
import dev.orderpipeline.config.RecordFormat;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.format.SchemaRegistryClient;
import dev.orderpipeline.generate.OrderEncoding;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.generate.OrderProducer;
import dev.orderpipeline.load.LoaderStatus;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.testing.InMemorySchemaRegistry;
import dev.orderpipeline.verify.ExpectedOrders;
import dev.orderpipeline.verify.OrderState;
import dev.orderpipeline.verify.WarehouseOrders;
import dev.orderpipeline.warehouse.DuckDbSessions;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * {@code pipeline-tools demo}: the whole data path on embedded defaults. A real broker, generated
 * orders with updates, deletions and a few malformed records, the loader into a DuckDB file, the CDC
 * replicator from that file into a real (embedded) PostgreSQL, and a summary that is checked against
 * the state recomputed from the topic, PostgreSQL against the warehouse, with the end-to-end
 * freshness measured (order produced → visible in PostgreSQL).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Stream generated orders through a real Kafka broker into DuckDB and on into PostgreSQL, then check the result.")
public final class DemoCommand implements Callable<Integer> {
    private static final String TOPIC = "orders";
    private static final String DEAD_LETTER_TOPIC = "orders-dlq";
    /** With --format: the same seeded stream as JSON, from which the expected state is recomputed. */
    private static final String EXPECTED_TOPIC = "orders-expected-json";

    @Option(names = "--orders", defaultValue = "200000", description = "Change events to produce (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--malformed", defaultValue = "25", description = "Malformed records mixed in (default: ${DEFAULT-VALUE}).")
    int malformed;

    @Option(names = "--duckdb-path", defaultValue = "order-pipeline-demo.duckdb", description = "Warehouse file (recreated).")
    Path duckdbPath;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the orders topic.")
    int partitions;

    @Option(names = "--format", defaultValue = "json", description = "Value format: json (the quick default), or avro, "
            + "json_sr or protobuf in Confluent's wire format, with an in-memory Schema Registry started for the run.")
    String format;

    private final PrintStream out = System.out;
    private long postgresRows = -1;
    private String warehouseChecksum = "-";
    private String postgresChecksum = "-";
    private String freshness = "not measured";
    private boolean postgresMatches;

    @Override
    public Integer call() throws Exception {
        RecordFormat valueFormat = RecordFormat.valueOf(format.toUpperCase(Locale.ROOT));
        if (valueFormat == RecordFormat.STRING) {
            throw new IllegalArgumentException("--format is json, avro, json_sr or protobuf");
        }
        if (!valueFormat.needsRegistry()) {
            return run(valueFormat, null);
        }
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            out.println("  Schema Registry (in memory, the test kit's) up at " + registry.url());
            return run(valueFormat, registry);
        }
    }

    private int run(RecordFormat valueFormat, InMemorySchemaRegistry registry) throws Exception {
        Files.deleteIfExists(duckdbPath);
        Files.deleteIfExists(Path.of(duckdbPath + ".wal"));
        out.println("Order Pipeline demo: " + events + " order events through a real Kafka broker into DuckDB ("
                + duckdbPath + ") and on into PostgreSQL");
        long started = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = startPostgres()) {
            kafka.createTopic(TOPIC, partitions);
            kafka.createTopic(DEAD_LETTER_TOPIC, 1);
            if (registry != null) {
                kafka.createTopic(EXPECTED_TOPIC, partitions);
            }
            out.println("  broker up at " + kafka.bootstrapServers());
            out.println("  PostgreSQL " + postgresVersion(postgres) + " up at 127.0.0.1:" + postgres.getPort() + " (embedded)");

            Map<String, String> loaderEnv = new HashMap<>(Map.of(
                    Setting.PIPELINE_NAME.envName(), "demo",
                    Setting.HTTP_PORT.envName(), "0",
                    Setting.KAFKA_BOOTSTRAP_SERVERS.envName(), kafka.bootstrapServers(),
                    Setting.KAFKA_TOPIC.envName(), TOPIC,
                    Setting.DUCKDB_PATH.envName(), duckdbPath.toString(),
                    Setting.SINK_KEY_FIELDS.envName(), "orderid",
                    Setting.BATCH_MAX_LATENCY.envName(), "500ms",
                    Setting.DEAD_LETTER_TOPIC.envName(), DEAD_LETTER_TOPIC));
            if (registry != null) {
                loaderEnv.put(Setting.KAFKA_VALUE_FORMAT.envName(), valueFormat.setting());
                loaderEnv.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
            }
            LoaderConfig config = LoaderConfig.from(new Environment(loaderEnv));
            long loadedRecords;
            try (LoaderProcess loader = new LoaderProcess(config, "127.0.0.1")) {
                Thread loaderThread = new Thread(loader::run, "loader");
                loaderThread.start();
                out.println("  loader running; /status at http://127.0.0.1:" + loader.httpPort() + "/status");
                produce(kafka.bootstrapServers(), valueFormat, registry);
                // The replicator reads the loader's table: start it once the table holds the first batch.
                awaitFirstCommit(loader.status());
                Environment cdcEnv = cdcEnvironment(postgres.getPort());
                try (CdcProcess cdc = new CdcProcess(CdcConfig.from(cdcEnv).sharingDuckDb(), cdcEnv, "127.0.0.1")) {
                    Thread cdcThread = new Thread(() -> {
                        try {
                            cdc.run();
                        } catch (RuntimeException e) {
                            out.println("  replicator stopped: " + e.getMessage());
                        }
                    }, "cdc");
                    cdcThread.start();
                    out.println("  replicator running; /status at http://127.0.0.1:" + cdc.httpPort() + "/status");
                    long total = endOffsetSum(kafka);
                    awaitCommitted(kafka, loader.status(), total);
                    Instant loaded = Instant.now();
                    awaitReplicated(cdc.status(), loaded);
                    checkPostgres(postgres);
                    cdc.stop();
                    cdcThread.join(Duration.ofSeconds(30).toMillis());
                }
                loader.stop();
                loaderThread.join(Duration.ofSeconds(30).toMillis());
                loadedRecords = loader.status().snapshot().recordsLoaded();
            }
            return summarize(kafka, registry == null ? TOPIC : EXPECTED_TOPIC, loadedRecords,
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres startPostgres() throws java.io.IOException {
        return io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
    }

    private static String postgresVersion(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres) {
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            return c.getMetaData().getDatabaseProductVersion();
        } catch (Exception e) {
            return "";
        }
    }

    /** The replicator's settings, as the operator would render them for a CdcSync of the demo's pipeline. */
    private Environment cdcEnvironment(int postgresPort) {
        return new Environment(Map.ofEntries(
                Map.entry(Setting.CDC_NAME.envName(), "demo-orders"),
                Map.entry(Setting.HTTP_PORT.envName(), "0"),
                Map.entry(Setting.CDC_SOURCE_MODE.envName(), "pipelineRef"),
                Map.entry(Setting.CDC_SOURCE_TABLE.envName(), "ORDERS"),
                Map.entry(Setting.CDC_KEY_COLUMNS.envName(), "ORDERID"),
                Map.entry(Setting.CDC_INTERVAL.envName(), "200ms"),
                Map.entry(Setting.CDC_AUDIT_INTERVAL.envName(), "1s"),
                Map.entry(Setting.DUCKDB_PATH.envName(), duckdbPath.toString()),
                Map.entry(Setting.POSTGRES_HOST.envName(), "127.0.0.1"),
                Map.entry(Setting.POSTGRES_PORT.envName(), Integer.toString(postgresPort)),
                Map.entry(Setting.POSTGRES_DATABASE.envName(), "postgres"),
                Map.entry(Setting.POSTGRES_TABLE.envName(), "orders"),
                Map.entry(Setting.POSTGRES_USER.envName(), "postgres"),
                Map.entry(Setting.POSTGRES_PASSWORD.envName(), "postgres"),
                Map.entry(Setting.POSTGRES_SSLMODE.envName(), "disable")));
    }

    private static void awaitFirstCommit(LoaderStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (status.snapshot().committedOffsets().values().stream().mapToLong(Long::longValue).sum() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the loader committed nothing in 2 minutes; last error: "
                        + status.snapshot().lastError());
            }
            Thread.sleep(100);
        }
    }

    /** Waits for the replicator's own drift audit to find PostgreSQL in sync, after everything was loaded. */
    private void awaitReplicated(CdcStatus status, Instant loaded) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            CdcStatus.Snapshot s = status.snapshot();
            Map<String, Object> audit = s.audit();
            if (audit != null && "in-sync".equals(audit.get("result"))
                    && Instant.parse((String) audit.get("time")).isAfter(loaded)) {
                out.printf("  replicator in sync %.1f s after the loader's last commit (its drift audit agrees)%n",
                        Duration.between(loaded, Instant.now()).toMillis() / 1000.0);
                return;
            }
            if (s.stalled() || System.nanoTime() > deadline) {
                out.println("  the replicator did not catch up; last error: " + s.lastError());
                return;
            }
            Thread.sleep(100);
        }
    }

    /**
     * PostgreSQL against the warehouse: the live orders, compared row by row, with count and an
     * order-independent checksum of every compared field printed for both sides; and the end-to-end
     * freshness of each live order (its Kafka timestamp to the PostgreSQL transaction that made its
     * current version visible).
     */
    private void checkPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres) throws Exception {
        Map<Long, OrderState> warehouse;
        try (Connection c = DuckDbSessions.open(duckdbPath.toString())) {
            warehouse = WarehouseOrders.live(c, "\"main\".\"ORDERS\"");
        }
        Map<Long, OrderState> target = new java.util.HashMap<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT orderid, itemid, orderunits, address_city, address_state, "
                    + "address_zipcode FROM public.orders")) {
                while (rs.next()) {
                    target.put(rs.getLong(1), new OrderState(rs.getLong(1), rs.getString(2), rs.getDouble(3),
                            rs.getString(4), rs.getString(5), rs.getLong(6)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), "
                    + "percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) FROM (SELECT extract(epoch FROM "
                    + "_opl_synced_at - _opl_produced_at) * 1000 AS ms FROM public.orders) f")) {
                rs.next();
                freshness = String.format("p50 %.2f s, p99 %.2f s", rs.getDouble(1) / 1000, rs.getDouble(2) / 1000);
            }
        }
        postgresRows = target.size();
        warehouseChecksum = checksum(warehouse);
        postgresChecksum = checksum(target);
        postgresMatches = warehouse.equals(target) && warehouseChecksum.equals(postgresChecksum);
    }

    private static String checksum(Map<Long, OrderState> orders) {
        dev.orderpipeline.cdc.AuditDigest.Builder digest = new dev.orderpipeline.cdc.AuditDigest.Builder();
        orders.values().forEach(o -> digest.add(o.orderid(), o.itemid(), o.orderunits(), o.city(), o.state(), o.zipcode()));
        return digest.build().checksumHex();
    }

    /**
     * The orders, and the malformed records. With a registry format, the same seeded stream also goes to
     * {@link #EXPECTED_TOPIC} as JSON (the generator draws the same values whatever the encoding): the state the
     * warehouse must hold is recomputed from it.
     */
    private void produce(String bootstrapServers, RecordFormat valueFormat, InMemorySchemaRegistry registry) {
        OrderEncoding encoding = OrderEncoding.json();
        if (registry != null) {
            encoding = OrderEncoding.registered(valueFormat, new SchemaRegistryClient(new SchemaRegistryConfig(
                    URI.create(registry.url()), Optional.empty(), Optional.empty(), Optional.empty())), TOPIC);
            new OrderProducer(KafkaClientProperties.producer(bootstrapServers))
                    .produce(EXPECTED_TOPIC, new OrderGenerator(7, 0.15, 0.05), events, 0, n -> { });
        }
        try (ProgressBar bar = bar("produce", events)) {
            new OrderProducer(KafkaClientProperties.producer(bootstrapServers))
                    .produce(TOPIC, new OrderGenerator(7, 0.15, 0.05, encoding), events, 0, bar::stepTo);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientProperties.producer(bootstrapServers))) {
            for (int i = 0; i < malformed; i++) {
                byte[] bad = ("{\"orderid\": " + (i + 1) + ", \"itemid\": \"Item_1\", oops").getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(TOPIC, ("bad-" + i).getBytes(StandardCharsets.UTF_8), bad));
                if (registry != null) {
                    producer.send(new ProducerRecord<>(EXPECTED_TOPIC, ("bad-" + i).getBytes(StandardCharsets.UTF_8), bad));
                }
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

    private int summarize(EmbeddedKafka kafka, String expectedTopic, long loadedRecords, Duration elapsed) throws Exception {
        ExpectedOrders expected = ExpectedOrders.fromTopic(kafka.bootstrapServers(), expectedTopic);
        long deadLettered = ExpectedOrders.fromTopic(kafka.bootstrapServers(), DEAD_LETTER_TOPIC).events();
        Map<Long, OrderState> actual;
        List<String> unitsByState;
        try (Connection c = DuckDbSessions.open(duckdbPath.toString())) {
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
        out.printf("  %-34s %,12d%n", "live orders in PostgreSQL", postgresRows);
        out.printf("  %-34s %s / %s%n", "checksum DuckDB / PostgreSQL", warehouseChecksum, postgresChecksum);
        out.printf("  %-34s %s%n", "freshness, produced -> PostgreSQL", freshness);
        out.println();
        out.println("  Units by state (top 5, live orders):");
        unitsByState.forEach(line -> out.println("    " + line));
        out.println();
        check("loaded + dead-lettered = produced", accountedFor);
        check("every malformed record is in " + DEAD_LETTER_TOPIC, deadLetterMatches);
        check("DuckDB equals the state recomputed from the topic", stateMatches);
        check("PostgreSQL equals the warehouse's live orders (count and checksum)", postgresMatches);
        return accountedFor && deadLetterMatches && stateMatches && postgresMatches ? 0 : 1;
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
