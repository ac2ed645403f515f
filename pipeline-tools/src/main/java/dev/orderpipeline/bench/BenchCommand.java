package dev.orderpipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.Directories;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.generate.OrderProducer;
import dev.orderpipeline.runtime.CdcProcess;
import dev.orderpipeline.schema.MetadataColumns;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.warehouse.DuckDbMemoryLimit;
import dev.orderpipeline.warehouse.DuckDbSessions;
import dev.orderpipeline.warehouse.Warehouse;
import dev.orderpipeline.warehouse.Warehouses;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline-tools bench}: the loader and the replicator against the ceilings of this
 * machine, measured in the same run on loopback and reported as ratios (absolute numbers on shared
 * machines are noisy). Everything measured runs in child JVMs of its own ({@link BenchChild}), so
 * that the broker, PostgreSQL and this bookkeeping stay out of its heap and RSS; the replicator's
 * throughput run is the exception (in this JVM: it only needs the finished DuckDB file).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the loader (DuckDB, PostgreSQL) and the replicator against consume-only and bulk-insert ceilings.")
public final class BenchCommand implements Callable<Integer> {
    private static final String TOPIC = "bench-orders";
    private static final String FRESH_TOPIC = "bench-fresh";
    /** The production-like mix (--production-mix): updates and tombstones among all orders. */
    static final double UPDATES = 0.30;
    static final double TOMBSTONES = 0.03;
    private static final long SEED = 1;

    /**
     * The throughput targets the project has set (README, "Benchmark"), each a ratio to a ceiling measured in the
     * same run: the loader into DuckDB against consume-only; the PostgreSQL sink's own upsert against COPY, and
     * the loader against that sink alone; the replicator's snapshot against COPY.
     */
    static final double LOADER_DUCKDB_OF_CONSUME_ONLY = 0.3;
    static final double SINK_ALONE_POSTGRES_OF_COPY = 0.3;
    static final double LOADER_POSTGRES_OF_SINK_ALONE = 0.9;
    static final double REPLICATOR_OF_COPY = 0.5;
    /** The loader's CPU per record, whole JVM from first record to last commit (issue #15): at most this, in µs. */
    static final double LOADER_CPU_MICROS_PER_RECORD = 4.0;

    @Option(names = "--orders", defaultValue = "1000000", description = "Orders to produce (default: ${DEFAULT-VALUE}).")
    long orders;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--loaders", defaultValue = "2",
            description = "Loader processes in one consumer group for the scaling run into PostgreSQL; 1 skips it (default: ${DEFAULT-VALUE}).")
    int loaders;

    @Option(names = "--rate", defaultValue = "20000", description = "Orders/s produced in the freshness run (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--freshness-seconds", defaultValue = "30", description = "Length of the freshness run (default: ${DEFAULT-VALUE}).")
    int freshnessSeconds;

    @Option(names = "--warmup-seconds", defaultValue = "5",
            description = "Records of the freshness run's first seconds (group join, JIT) not counted (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--loader-heap", defaultValue = "512m",
            description = "-Xmx of each loader JVM: a loader pod's heap at its default 1Gi limit (half of it, pipeline-runtime/Dockerfile); "
                    + "a loader into DuckDB gets the DuckDB memory limit of the pod whose heap this is (default: ${DEFAULT-VALUE}).")
    String loaderHeap;

    /** The share of a pod's memory limit the runtime image's JVM may take as heap (-XX:MaxRAMPercentage, pipeline-runtime/Dockerfile). */
    static final int POD_HEAP_PERCENT = 50;

    @Option(names = "--loader-initial-heap", defaultValue = "256m",
            description = "-Xms of each measured JVM, at most its -Xmx: a loader pod's initial heap at its default 1Gi limit (a quarter of it, pipeline-runtime/Dockerfile); \"\" for the JVM's own (default: ${DEFAULT-VALUE}).")
    String loaderInitialHeap;

    /**
     * The collector and the touched initial heap of the runtime image's JVM options (pipeline-runtime/Dockerfile), so
     * that the measured loaders run as pods do; on this machine the JVM alone would pick G1, which cost more CPU per
     * record, and touch its heap's pages in its first collections, which cost a loader's first seconds (BENCH.md).
     */
    static final String POD_JAVA_OPTIONS = "-XX:+UseSerialGC -XX:+AlwaysPreTouch";

    @Option(names = "--loader-java-options", defaultValue = POD_JAVA_OPTIONS,
            description = "Further JVM options of every measured JVM, space-separated (default: the runtime image's, ${DEFAULT-VALUE}; \"\" for the JVM's own choice).")
    String loaderJavaOptions;

    @Option(names = "--stall-seconds", defaultValue = "20",
            description = "How long the stalled-sink run holds a lock on the loader's PostgreSQL table; 0 skips the run (default: ${DEFAULT-VALUE}).")
    int stallSeconds;

    @Option(names = "--stall-heap", defaultValue = "256m",
            description = "-Xmx of the loader JVM in the stalled-sink run (default: ${DEFAULT-VALUE}).")
    String stallHeap;

    @Option(names = "--cdc-interval", defaultValue = "100ms",
            description = "OPL_CDC_INTERVAL of the replicator in the freshness run (default: ${DEFAULT-VALUE}).")
    String cdcInterval;

    @Option(names = "--cdc-batch-size",
            description = "OPL_CDC_BATCH_SIZE of every replicator (rows per page of changes and transaction; default: the replicator's own).")
    Integer cdcBatchSize;

    @Option(names = "--cdc-snapshot-batch-size",
            description = "OPL_CDC_SNAPSHOT_BATCH_SIZE of every replicator (rows per page of the snapshot; default: the replicator's own).")
    Integer cdcSnapshotBatchSize;

    @Option(names = "--postgres-shared-buffers", defaultValue = BenchPostgres.DEFAULT_SHARED_BUFFERS,
            description = "shared_buffers of the bench's PostgreSQL (default: PostgreSQL's own, ${DEFAULT-VALUE}); a server "
                    + "that holds a table of millions of rows is usually given more (PostgreSQL's guide: a quarter of its memory).")
    String postgresSharedBuffers;

    @Option(names = "--prefill-rows", defaultValue = "0",
            description = "Rows already in the freshness run's table (and replicated) before it starts, with Kafka offsets below the run's (default: ${DEFAULT-VALUE}).")
    long prefillRows;

    @Option(names = "--production-mix",
            description = "Every run's orders are 30 %% updates of earlier orders and 3 %% tombstones, the rest new orders "
                    + "(the freshness run's also update and delete its prefilled ones); without it every order is new.")
    boolean productionMix;

    @Option(names = "--freshness-only", description = "Run only the freshness run (JSON output).")
    boolean freshnessOnly;

    @Option(names = "--loader-only",
            description = "Only the ceilings, the sinks alone and the single loaders (no replicator, scaling, stalled-sink or freshness run): "
                    + "a short run to compare one change of the loader's write path.")
    boolean loaderOnly;

    @Option(names = "--replicator-only",
            description = "Only the PostgreSQL COPY ceiling, the loader into DuckDB (which fills the table) and the replicator's "
                    + "snapshot of it: a short run to compare one change of the snapshot path.")
    boolean replicatorOnly;

    @Option(names = "--profile", description = "Profile each loader JVM with async-profiler (CPU samples of every thread, "
            + "Java and native) from its first record to its end, and write its CPU per record by part of the loader "
            + "and by thread into <work-dir>/<child>-profile.txt (the samples: <child>.collapsed).")
    boolean profile;

    @Option(names = "--work-dir", description = "Where databases, logs and profiles go, kept after the run (default: a new temporary "
            + "directory, removed at the end unless --profile).")
    Path workDir;

    @Option(names = "--json", description = "Print the results as JSON instead of a Markdown table.")
    boolean json;

    private final PrintStream out = System.out;
    private Path work;
    private EmbeddedKafka kafka;
    private BenchPostgres postgres;
    /** The orders the topic leaves live (not deleted by a later tombstone): a table loaded from it holds each once. */
    private long liveOrders;
    private int batchRecords;
    private volatile long producedNanos;
    private String maxLatency;

    @Override
    public Integer call() throws Exception {
        // The broker's test kit and the libraries print to System.out: keep stdout for the table or the JSON.
        System.setOut(System.err);
        try {
            return measure();
        } finally {
            System.setOut(out);
            removeTemporaryWork();
        }
    }

    /**
     * A run's databases and the PostgreSQL cluster take 0.3-0.7 GB at a million orders: a work directory of its own
     * goes at the end, unless the run was profiled (the profiles are what it is for). One given with --work-dir stays.
     */
    private void removeTemporaryWork() {
        if (workDir != null || work == null) {
            return;
        }
        if (profile) {
            status("profiles and logs kept in " + work);
            return;
        }
        try {
            if (!Directories.delete(work)) {
                status("could not remove all of the work directory " + work);
            }
        } catch (IOException e) {
            status("could not remove the work directory " + work + ": " + e.getMessage());
        }
    }

    private Integer measure() throws Exception {
        if (orders < 1 || partitions < 1 || loaders < 1 || rate < 1 || freshnessSeconds < 1) {
            throw new IllegalArgumentException("--orders, --partitions, --loaders, --rate and --freshness-seconds must be positive");
        }
        if (loaderOnly && replicatorOnly) {
            throw new IllegalArgumentException("--loader-only and --replicator-only exclude each other: pick one");
        }
        if (stallSeconds < 0) {
            throw new IllegalArgumentException("--stall-seconds must be 0 (no stalled-sink run) or positive");
        }
        work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("opl-bench");
        batchRecords = Integer.parseInt(Setting.BATCH_MAX_RECORDS.defaultValue());
        maxLatency = Setting.BATCH_MAX_LATENCY.defaultValue();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("date", LocalDate.now().toString());
        results.put("machine", machine());
        results.put("orders", orders);
        results.put("partitions", partitions);
        results.put("batchMaxRecords", batchRecords);
        results.put("batchMaxLatency", maxLatency);
        results.put("loaderHeap", loaderHeap);
        results.put("loaderInitialHeap", loaderInitialHeap);
        results.put("loaderJavaOptions", loaderJavaOptions);
        results.put("postgresSharedBuffers", postgresSharedBuffers);
        results.put("workDir", work.toString());
        results.put("updateFraction", productionMix ? UPDATES : 0.0);
        results.put("tombstoneFraction", productionMix ? TOMBSTONES : 0.0);
        status("work directory " + work);
        try (EmbeddedKafka k = EmbeddedKafka.start(); BenchPostgres pg = BenchPostgres.start(work.resolve("postgres"), postgresSharedBuffers)) {
            kafka = k;
            postgres = pg;
            if (freshnessOnly) {
                results.put("freshness", freshness());
                json = true;
                report(results);
                return 0;
            }
            kafka.createTopic(TOPIC, partitions);
            try (ProgressBar bar = bar("produce", orders)) {
                OrderGenerator stream = orderStream();
                new OrderProducer(KafkaClientProperties.producer(kafka.bootstrapServers()))
                        .produce(TOPIC, stream, orders, 0, bar::stepTo);
                liveOrders = stream.liveCount();
            }
            Map<String, Object> rates = new LinkedHashMap<>();
            results.put("rates", rates);
            if (replicatorOnly) {
                replicatorOnly(rates);
                report(results);
                return 0;
            }

            Map<String, Object> consume = consumeOnly();
            long topicBytes = ((Number) consume.get("bytes")).longValue();
            results.put("topicBytes", topicBytes);
            Rate ceilingA = new Rate(orders, topicBytes, Duration.ofNanos(((Number) consume.get("nanos")).longValue()));
            rates.put("consumeOnly", rate(ceilingA, null, null, null));

            Rate duckAppender;
            try (ProgressBar bar = bar("ceiling B: DuckDB Appender", orders)) {
                duckAppender = DuckDbAppendCeiling.measure(work.resolve("ceiling.duckdb"), rows(), orders, batchRecords, bar::stepTo);
            }
            rates.put("duckdbAppender", rate(duckAppender.withBytes(topicBytes), null, null, null));
            Rate pgCopy;
            try (ProgressBar bar = bar("ceiling B: PostgreSQL COPY", orders); Connection c = postgres.connect()) {
                pgCopy = PostgresCopyCeiling.measure(c, rows(), orders, batchRecords, bar::stepTo);
            }
            rates.put("postgresCopy", rate(pgCopy.withBytes(topicBytes), null, null, null));

            Rate duckSink = sinkAlone("sink alone: DuckDB upsert", duckEnv("bench-sink-duckdb", work.resolve("sink.duckdb")));
            rates.put("sinkAloneDuckdb", rate(duckSink.withBytes(topicBytes), "duckdbAppender", duckAppender, null));
            Rate pgSink = sinkAlone("sink alone: PostgreSQL upsert", pgEnv("bench-sink-postgres", "ORDERS_SINK"));
            rates.put("sinkAlonePostgres", rate(pgSink.withBytes(topicBytes), "postgresCopy", pgCopy, SINK_ALONE_POSTGRES_OF_COPY));

            Path duckFile = work.resolve("loader.duckdb");
            LoaderRun duck = runLoaders("loader → DuckDB", 1, duckEnv("bench-duckdb", duckFile));
            rates.put("loaderDuckdb", rate(duck.rate().withBytes(topicBytes), "consumeOnly", ceilingA, LOADER_DUCKDB_OF_CONSUME_ONLY));
            rates.put("loaderDuckdbOfSinkAlone", rate(duck.rate().withBytes(topicBytes), "sinkAloneDuckdb", duckSink, null));
            duck.steady().ifPresent(steady -> rates.put("loaderDuckdbSteadyOfSinkAlone",
                    rate(steady, "sinkAloneDuckdb", duckSink, null)));
            LoaderRun pgRun = runLoaders("loader → PostgreSQL", 1, pgEnv("bench-postgres", "ORDERS_PG"));
            rates.put("loaderPostgres", rate(pgRun.rate().withBytes(topicBytes), "postgresCopy", pgCopy, null));
            rates.put("loaderPostgresOfSinkAlone", rate(pgRun.rate().withBytes(topicBytes), "sinkAlonePostgres", pgSink,
                    LOADER_POSTGRES_OF_SINK_ALONE));
            pgRun.steady().ifPresent(steady -> rates.put("loaderPostgresSteadyOfSinkAlone",
                    rate(steady, "sinkAlonePostgres", pgSink, LOADER_POSTGRES_OF_SINK_ALONE)));

            if (!loaderOnly) {
                Rate replicator = replicate(duckFile);
                rates.put("replicatorPostgres", rate(replicator.withBytes(0), "postgresCopy", pgCopy, REPLICATOR_OF_COPY));
            }

            Map<String, Object> memory = new LinkedHashMap<>();
            memory.put("duckdb", duck.reports().get(0));
            memory.put("postgres", pgRun.reports().get(0));
            memory.put("heapTargetBytes", 512L << 20);
            results.put("loaderMemory", memory);
            double duckCpu = cpuMicrosPerRecord(duck.reports().get(0));
            double pgCpu = cpuMicrosPerRecord(pgRun.reports().get(0));
            Map<String, Object> cpu = new LinkedHashMap<>();
            cpu.put("consumeOnly", cpuMicrosPerRecord(consume));
            cpu.put("loaderDuckdb", duckCpu);
            cpu.put("loaderPostgres", pgCpu);
            cpu.put("loaderTarget", LOADER_CPU_MICROS_PER_RECORD);
            cpu.put("loaderDuckdbMet", duckCpu <= LOADER_CPU_MICROS_PER_RECORD);
            cpu.put("loaderPostgresMet", pgCpu <= LOADER_CPU_MICROS_PER_RECORD);
            results.put("cpuMicrosPerRecord", cpu);

            if (loaderOnly) {
                report(results);
                return 0;
            }
            if (loaders > 1) {
                LoaderRun scaled = runLoaders(loaders + " loaders → PostgreSQL", loaders,
                        pgEnv("bench-postgres-" + loaders, "ORDERS_PG_" + loaders));
                Map<String, Object> scaling = rate(scaled.rate().withBytes(topicBytes), "loaderPostgres", pgRun.rate(), null);
                scaling.put("loaders", loaders);
                scaling.put("memory", scaled.reports());
                results.put("scaling", scaling);
            }
            if (stallSeconds > 0) {
                results.put("stalledSink", stalledSink());
            }
            results.put("freshness", freshness());
        }
        report(results);
        return 0;
    }

    // ---- phases

    /** The COPY ceiling, a loader into DuckDB that fills the table, and the replicator's snapshot of it. */
    private void replicatorOnly(Map<String, Object> rates) throws Exception {
        Rate pgCopy;
        try (ProgressBar bar = bar("ceiling B: PostgreSQL COPY", orders); Connection c = postgres.connect()) {
            pgCopy = PostgresCopyCeiling.measure(c, rows(), orders, batchRecords, bar::stepTo);
        }
        rates.put("postgresCopy", rate(pgCopy, null, null, null));
        Path duckFile = work.resolve("loader.duckdb");
        LoaderRun duck = runLoaders("loader → DuckDB", 1, duckEnv("bench-duckdb", duckFile));
        rates.put("loaderDuckdb", rate(duck.rate(), null, null, null));
        Rate replicator = replicate(duckFile);
        rates.put("replicatorPostgres", rate(replicator.withBytes(0), "postgresCopy", pgCopy, REPLICATOR_OF_COPY));
    }

    /** The loader's warehouse writes of the same rows, without Kafka or JSON, in this JVM. */
    private Rate sinkAlone(String task, Map<String, String> env) throws Exception {
        LoaderConfig config = LoaderConfig.from(new Environment(env));
        try (ProgressBar bar = bar(task, orders); Warehouse warehouse = Warehouses.forSink(config.sink(), config.pipelineName(),
                config.sinkStatementTimeout())) {
            return SinkAloneRate.measure(warehouse, config.pipelineName(), TOPIC, partitions, rows(), orders, batchRecords,
                    bar::stepTo);
        }
    }

    private Map<String, Object> consumeOnly() {
        Map<String, String> env = new HashMap<>(duckEnv("bench-ceiling", work.resolve("unused.duckdb")));
        try (ChildJvm child = ChildJvm.start(work, "ceiling-a", jvm(), env, "consume", Long.toString(orders));
             ProgressBar bar = bar("ceiling A: consume-only", orders)) {
            child.send("GO");
            Map<String, Object> report = child.awaitReport(Duration.ofMinutes(10));
            bar.stepTo(orders);
            return report;
        }
    }

    /** K child JVMs in one consumer group, started together; the rate runs from the first record any of them read. */
    private LoaderRun runLoaders(String task, int count, Map<String, String> env) throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try (ProgressBar bar = bar(task, orders)) {
            for (int i = 0; i < count; i++) {
                children.add(ChildJvm.start(work, env.get(Setting.PIPELINE_NAME.envName()) + "-" + i, loaderJvm(), env, "load"));
            }
            children.forEach(c -> c.send("GO"));
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            long committed = 0;
            while (committed < orders) {
                Map<Integer, Long> merged = new TreeMap<>();
                for (ChildJvm c : children) {
                    if (c.failure() != null) {
                        throw new IllegalStateException(task + ": " + c.failure());
                    }
                    if (!c.commits().isEmpty()) {
                        c.commits().get(c.commits().size() - 1).offsets().forEach((p, o) -> merged.merge(p, o, Math::max));
                    }
                }
                committed = merged.values().stream().mapToLong(Long::longValue).sum();
                bar.stepTo(committed);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(task + ": only " + committed + " of " + orders + " committed in 30 minutes");
                }
                Thread.sleep(5);
            }
            long end = System.currentTimeMillis();
            long first = children.stream().mapToLong(ChildJvm::firstRecordMillis).filter(t -> t > 0).min().orElse(end);
            long lastCommit = children.stream().filter(c -> !c.commits().isEmpty())
                    .mapToLong(c -> c.commits().get(c.commits().size() - 1).epochMillis()).max().orElse(end);
            children.forEach(c -> c.send("STOP"));
            List<Map<String, Object>> reports = new ArrayList<>();
            for (ChildJvm c : children) {
                reports.add(c.awaitReport(Duration.ofMinutes(2)));
            }
            if (profile) {
                profile(task, children, reports);
            }
            return new LoaderRun(new Rate(orders, 0, Duration.ofMillis(Math.max(1, lastCommit - first))),
                    count == 1 ? SteadyRate.of(children.get(0).commits()) : Optional.empty(), reports);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    /**
     * With --profile: each loader JVM's CPU per record by part of the loader and by thread ({@link ProfileBreakdown}),
     * from its first record to its end, into {@code <work-dir>/<child>-profile.txt} and on stderr. The child wrote
     * its samples before its report.
     */
    private void profile(String task, List<ChildJvm> children, List<Map<String, Object>> reports) throws IOException {
        for (int i = 0; i < children.size(); i++) {
            ChildJvm c = children.get(i);
            if (!Files.exists(c.profileFile())) {
                continue; // the loader never read a record
            }
            long records = ((Number) reports.get(i).get("recordsLoaded")).longValue();
            String text = task + " (" + c.name() + ")\n"
                    + ProfileBreakdown.read(c.profileFile()).perRecord(Math.max(1, records));
            Files.writeString(work.resolve(c.name() + "-profile.txt"), text);
            System.err.println(text);
        }
    }

    /** {@code steady}: one loader's rate with its pipeline full ({@link SteadyRate}); empty for a group. */
    record LoaderRun(Rate rate, Optional<Rate> steady, List<Map<String, Object>> reports) {
    }

    /**
     * Issue #8's memory target under a stalled sink: one loader → PostgreSQL at --stall-heap (-Xmx256m),
     * the whole topic readable, its table locked by this process (ACCESS EXCLUSIVE, from another session)
     * right after the loader's first commit (which creates table and columns) for --stall-seconds, then
     * released. The loader should pause its partitions instead of reading the topic into its heap, and
     * then load everything exactly once. An OutOfMemoryError ends the child (ExitOnOutOfMemoryError) and
     * is reported, not thrown.
     */
    private Map<String, Object> stalledSink() throws Exception {
        String table = "ORDERS_STALL";
        String task = "loader → PostgreSQL, sink stalled " + stallSeconds + " s";
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("stallSeconds", stallSeconds);
        r.put("loaderHeap", stallHeap);
        try (ChildJvm child = ChildJvm.start(work, "stalled-sink", new ChildJvm.JvmOptions(stallHeap, loaderInitialHeap, javaOptions(), false),
                pgEnv("bench-stall", table), "load");
             ProgressBar bar = bar(task, orders);
             Connection lock = postgres.connect()) {
            child.send("GO");
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (child.committed() == 0 && child.failure() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (child.failure() == null && child.committed() == 0) {
                throw new IllegalStateException(task + ": no first commit in 10 minutes");
            }
            Map<String, Object> atStallEnd = null;
            long lockedAt = 0;
            long releasedAt = 0;
            long committedAtLock = 0;
            long committedAtRelease = 0;
            if (child.failure() == null) {
                lock.setAutoCommit(false);
                try (Statement s = lock.createStatement()) {
                    s.execute("LOCK TABLE \"public\".\"" + table + "\" IN ACCESS EXCLUSIVE MODE");
                }
                lockedAt = System.currentTimeMillis();
                child.send("MARK");
                Thread.sleep(200); // a commit that ended as the lock was granted is reported by then
                committedAtLock = child.committed();
                long until = System.nanoTime() + Duration.ofSeconds(stallSeconds).toNanos();
                while (System.nanoTime() < until && child.failure() == null) {
                    bar.stepTo(child.committed());
                    Thread.sleep(50);
                }
                if (child.failure() == null) {
                    atStallEnd = child.memoryNow(Duration.ofSeconds(30));
                }
                committedAtRelease = child.committed();
                lock.rollback();
                releasedAt = System.currentTimeMillis();
            }
            deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (child.committed() < orders && child.failure() == null && System.nanoTime() < deadline) {
                bar.stepTo(child.committed());
                Thread.sleep(5);
            }
            bar.stepTo(child.committed());
            if (child.failure() != null && !child.outOfMemory()) {
                throw new IllegalStateException(task + ": " + child.failure());
            }
            Map<String, Object> report = null;
            if (child.failure() == null) {
                child.send("STOP");
                report = child.awaitReport(Duration.ofMinutes(2));
            }
            r.put("outOfMemory", child.outOfMemory());
            r.put("failure", child.failure());
            long pausedDuringStall = 0;
            long pausedTotal = 0;
            long now = System.currentTimeMillis();
            for (ChildJvm.Pause p : child.pauses()) {
                long to = p.toMillis() == 0 ? now : p.toMillis();
                pausedTotal += to - p.fromMillis();
                if (lockedAt > 0) {
                    pausedDuringStall += Math.max(0, Math.min(to, releasedAt) - Math.max(p.fromMillis(), lockedAt));
                }
            }
            r.put("pausedMillisDuringStall", pausedDuringStall);
            r.put("pausedMillisTotal", pausedTotal);
            r.put("pauses", child.pauses().size());
            r.put("committedDuringStall", committedAtRelease - committedAtLock);
            if (atStallEnd != null) {
                r.put("peakHeapBytesDuringStall", atStallEnd.get("peakHeapBytes"));
                r.put("peakRssBytesDuringStall", atStallEnd.get("peakRssBytes"));
                r.put("rssPeakSinceStall", atStallEnd.get("rssPeakSinceMark"));
                r.put("maxHeapBytes", atStallEnd.get("maxHeapBytes"));
                // Read from Kafka but not yet loaded when the stall ended: what the loader held in memory.
                r.put("recordsHeldAtStallEnd", ((Number) atStallEnd.get("recordsConsumed")).longValue()
                        - ((Number) atStallEnd.get("recordsLoaded")).longValue());
                r.put("pausedPartitionsAtStallEnd", atStallEnd.get("pausedPartitions"));
            }
            r.put("loaderMemory", report);
            long rows = 0;
            long distinct = 0;
            long live = 0;
            try (Connection c = postgres.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\"), count(*) FILTER (WHERE NOT "
                         + MetadataColumns.DELETED.quoted() + ") FROM \"public\".\"" + table + "\"")) {
                if (rs.next()) {
                    rows = rs.getLong(1);
                    distinct = rs.getLong(2);
                    live = rs.getLong(3);
                }
            }
            r.put("rowsInTable", rows);
            r.put("distinctOrders", distinct);
            r.put("liveRows", live);
            long expected = liveOrders;
            r.put("expectedLiveOrders", expected);
            // Every key once, and a row not flagged deleted for every live order and no other (a tombstone flags its
            // order's row, or leaves none when the order came and went within one batch).
            boolean allLoaded = rows == distinct && live == expected;
            r.put("allLoadedOnce", allLoaded);
            r.put("met", !child.outOfMemory() && allLoaded);
            return r;
        }
    }

    /** The replicator's snapshot of the loaded DuckDB table into an empty PostgreSQL table, in this JVM. */
    private Rate replicate(Path duckFile) throws Exception {
        return replicate(duckFile, "bench-replica", "orders_replica", liveRowsIn(duckFile));
    }

    /** The rows of the loader's DuckDB table not flagged deleted: those a replica holds. The loader must have stopped. */
    private static long liveRowsIn(Path duckFile) throws SQLException {
        try (Connection duck = DuckDbSessions.open(duckFile.toString());
             Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM \"main\".\"ORDERS\" WHERE NOT coalesce("
                     + MetadataColumns.DELETED.quoted() + ", FALSE)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A sync's snapshot of {@code rows} live rows, in this JVM, until they are all in PostgreSQL and the snapshot
     * is over (its last transaction, which may build the table's key, committed).
     */
    private Rate replicate(Path duckFile, String name, String pgTable, long rows) throws Exception {
        Map<String, String> env = cdcEnv(name, duckFile, pgTable);
        CdcConfig config = CdcConfig.from(new Environment(env));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (CdcProcess cdc = new CdcProcess(config, new Environment(env), "127.0.0.1"); ProgressBar bar = bar("replicator → PostgreSQL", rows)) {
            long started = System.nanoTime();
            Thread thread = new Thread(() -> {
                try {
                    cdc.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "bench-replicator");
            thread.start();
            long deadline = started + Duration.ofMinutes(30).toNanos();
            while (true) {
                var s = cdc.status().snapshot();
                bar.stepTo(s.totalRowsUpserted());
                if (s.totalRowsUpserted() >= rows && "Incremental".equals(s.phase())) {
                    break;
                }
                if (failure.get() != null || System.nanoTime() > deadline) {
                    throw new IllegalStateException("replicator: " + (failure.get() != null ? failure.get() : "timeout")
                            + "; last error " + s.lastError());
                }
                Thread.sleep(5);
            }
            long elapsed = System.nanoTime() - started;
            cdc.stop();
            thread.join();
            return new Rate(rows, 0, Duration.ofNanos(elapsed));
        }
    }

    /** A steady produce rate into a new topic; the loader into DuckDB and the replicator into PostgreSQL in one child JVM. */
    private Map<String, Object> freshness() throws Exception {
        kafka.createTopic(FRESH_TOPIC, partitions);
        Map<String, String> env = new HashMap<>(duckEnv("bench-fresh", work.resolve("fresh.duckdb")));
        env.put(Setting.KAFKA_TOPIC.envName(), FRESH_TOPIC);
        env.putAll(cdcEnv("bench-fresh", work.resolve("fresh.duckdb"), "orders_fresh"));
        long prefillSnapshotNanos = prefillRows > 0 ? FreshnessPrefill.fill(work.resolve("fresh.duckdb"), prefillRows,
                partitions, LoaderConfig.from(new Environment(env)),
                () -> replicate(work.resolve("fresh.duckdb"), "bench-fresh", "orders_fresh", prefillRows)) : 0;
        int total = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * freshnessSeconds);
        int[] partition = new int[total];
        long[] offset = new long[total];
        long[] timestamp = new long[total];
        List<Freshness.Observation> visible = new ArrayList<>();
        try (ChildJvm child = ChildJvm.start(work, "freshness", jvm(), env, "load+cdc");
             ProgressBar bar = bar("freshness at " + rate + "/s", total);
             Connection pg = postgres.connect();
             PreparedStatement watermark = pg.prepareStatement(
                     "SELECT watermark::text FROM \"public\".\"orderpipeline_cdc_state\" WHERE sync_name = ?")) {
            watermark.setString(1, "bench-fresh");
            child.send("GO");
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            Thread producer = new Thread(() -> produceSteady(total, partition, offset, timestamp, sendFailure, bar), "bench-steady");
            producer.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(freshnessSeconds).plusMinutes(5).toNanos();
            boolean done = false;
            ObjectMapper mapper = new ObjectMapper();
            while (!done) {
                if (child.failure() != null || sendFailure.get() != null) {
                    throw new IllegalStateException("freshness run: " + (child.failure() != null ? child.failure() : sendFailure.get()));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("freshness run: not everything visible in PostgreSQL 5 minutes after the last record");
                }
                Map<Integer, Long> applied = readWatermark(watermark, mapper);
                if (applied != null && (visible.isEmpty() || !visible.get(visible.size() - 1).offsets().equals(applied))) {
                    visible.add(new Freshness.Observation(System.currentTimeMillis(), applied));
                }
                done = !producer.isAlive() && child.committed() >= total
                        && applied != null && applied.values().stream().mapToLong(o -> o + 1).sum() >= total;
                Thread.sleep(20);
            }
            producer.join();
            child.send("STOP");
            Map<String, Object> memory = child.awaitReport(Duration.ofMinutes(2));
            int from = (int) Math.min(total, (long) rate * warmupSeconds);
            List<Freshness.Observation> committed = child.commits().stream()
                    .map(c -> new Freshness.Observation(c.epochMillis(), c.offsets())).toList();
            Freshness.Percentiles toCommit = Freshness.of(partition, offset, timestamp, from, total, committed, false);
            Freshness.Percentiles toVisible = Freshness.of(partition, offset, timestamp, from, total, visible, true);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("ordersPerSecond", rate);
            f.put("seconds", freshnessSeconds);
            // On a busy machine the producer may fall behind the requested rate: this is the rate the loader saw.
            f.put("achievedOrdersPerSecond", Math.round(total / Math.max(1e-9, producedNanos / 1e9)));
            f.put("warmupSeconds", warmupSeconds);
            f.put("recordsCounted", toCommit.records());
            f.put("commitsObserved", committed.size());
            f.put("watermarksObserved", visible.size());
            f.put("committedP50Millis", toCommit.p50Millis());
            f.put("committedP99Millis", toCommit.p99Millis());
            f.put("committedMaxMillis", toCommit.maxMillis());
            f.put("recordsVisibleCounted", toVisible.records());
            f.put("visibleP50Millis", toVisible.p50Millis());
            f.put("visibleP99Millis", toVisible.p99Millis());
            f.put("visibleMaxMillis", toVisible.maxMillis());
            long target = new Environment(Map.of()).duration(Setting.BATCH_MAX_LATENCY).toMillis() + 1000;
            f.put("committedP99TargetMillis", target);
            f.put("committedP99Met", toCommit.p99Millis() >= 0 && toCommit.p99Millis() <= target);
            long visibleTarget = target + new Environment(Map.of(Setting.CDC_INTERVAL.envName(), cdcInterval))
                    .duration(Setting.CDC_INTERVAL).toMillis();
            f.put("visibleP99TargetMillis", visibleTarget);
            f.put("visibleP99Met", toVisible.p99Millis() >= 0 && toVisible.p99Millis() <= visibleTarget);
            f.put("cdcInterval", cdcInterval);
            f.put("prefillRows", prefillRows);
            f.put("updateFraction", productionMix ? UPDATES : 0.0);
            f.put("tombstoneFraction", productionMix ? TOMBSTONES : 0.0);
            f.put("prefillSnapshotSeconds", prefillSnapshotNanos / 1e9);
            f.put("loaderMemory", memory);
            child.close(); // waits for the child to exit, which frees the DuckDB file
            f.putAll(replicaCheck(pg));
            return f;
        }
    }

    /**
     * Whether PostgreSQL holds exactly the warehouse's live orders once everything is visible (the loader
     * has stopped, so the DuckDB file is free), and how many prefilled orders the run changed there.
     */
    private Map<String, Object> replicaCheck(Connection pg) throws Exception {
        long warehouseLive = liveRowsIn(work.resolve("fresh.duckdb"));
        long replica;
        long prefilledChanged;
        try (Statement s = pg.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE "
                + "\"orderid\" >= " + FreshnessPrefill.FIRST_KEY + " AND \"_opl_offset\" >= 0) FROM \"public\".\"orders_fresh\"")) {
            rs.next();
            replica = rs.getLong(1);
            prefilledChanged = rs.getLong(2);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warehouseLiveRows", warehouseLive);
        m.put("replicaRows", replica);
        m.put("replicaMatches", warehouseLive == replica);
        m.put("prefilledRowsUpdatedInReplica", prefilledChanged);
        return m;
    }

    private void produceSteady(int total, int[] partition, long[] offset, long[] timestamp,
                               AtomicReference<Exception> failure, ProgressBar bar) {
        // Production-like: updates and tombstones reach any live order, the prefilled history included.
        OrderGenerator generator = productionMix
                ? new OrderGenerator(SEED + 1, UPDATES, TOMBSTONES, FreshnessPrefill.FIRST_KEY, (int) prefillRows)
                : new OrderGenerator(SEED + 1, 0.0, 0.0);
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientProperties.producer(kafka.bootstrapServers()))) {
            for (int i = 0; i < total && failure.get() == null; i++) {
                OrderGenerator.Event e = generator.next();
                int index = i;
                producer.send(new ProducerRecord<>(FRESH_TOPIC, FreshnessPrefill.partitionOf(e.key(), partitions), e.key(), e.value()),
                        (m, ex) -> {
                    if (ex != null) {
                        failure.compareAndSet(null, ex);
                    } else {
                        partition[index] = m.partition();
                        offset[index] = m.offset();
                        timestamp[index] = m.timestamp();
                    }
                });
                if ((i + 1) % 100 == 0) {
                    bar.stepTo(i + 1);
                    long wait = started + (i + 1) * 1_000_000_000L / rate - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            producer.flush();
            producedNanos = System.nanoTime() - started;
            bar.stepTo(total);
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private static Map<Integer, Long> readWatermark(PreparedStatement watermark, ObjectMapper mapper) throws Exception {
        try (ResultSet rs = watermark.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            JsonNode w = mapper.readTree(rs.getString(1));
            Map<Integer, Long> offsets = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
            }
            return offsets;
        } catch (java.sql.SQLException notYetCreated) {
            return null;
        }
    }

    // ---- configuration of the measured processes

    private Map<String, String> loaderEnv(String pipeline) {
        Map<String, String> env = new HashMap<>();
        env.put(Setting.PIPELINE_NAME.envName(), pipeline);
        env.put(Setting.HTTP_PORT.envName(), "0");
        env.put(Setting.KAFKA_BOOTSTRAP_SERVERS.envName(), kafka.bootstrapServers());
        env.put(Setting.KAFKA_TOPIC.envName(), TOPIC);
        env.put(Setting.KAFKA_SESSION_TIMEOUT.envName(), "10s");
        env.put(Setting.SINK_KEY_FIELDS.envName(), "orderid");
        env.put(Setting.ERROR_TOLERANCE.envName(), "none");
        return env;
    }

    private Map<String, String> duckEnv(String pipeline, Path file) {
        Map<String, String> env = loaderEnv(pipeline);
        env.put(Setting.SINK_TYPE.envName(), "duckdb");
        env.put(Setting.DUCKDB_PATH.envName(), file.toString());
        env.put(Setting.DUCKDB_MEMORY_LIMIT.envName(), podDuckDbMemoryLimit(loaderHeap));
        return env;
    }

    /**
     * What the runtime would give DuckDB in the pod whose heap is {@code heap}: this machine has more memory than a
     * pod, so a loader left to compute it here would give DuckDB far more than in a cluster.
     */
    static String podDuckDbMemoryLimit(String heap) {
        long heapBytes = ChildJvm.JvmOptions.bytes(heap);
        return DuckDbMemoryLimit.leftBesideHeap(heapBytes * 100 / POD_HEAP_PERCENT, heapBytes).setting();
    }

    private Map<String, String> pgEnv(String pipeline, String table) {
        Map<String, String> env = loaderEnv(pipeline);
        env.putAll(postgres.env());
        env.put(Setting.SINK_TYPE.envName(), "postgres");
        env.put(Setting.SINK_TABLE.envName(), table);
        return env;
    }

    private Map<String, String> cdcEnv(String name, Path duckFile, String pgTable) {
        Map<String, String> env = new HashMap<>(postgres.env());
        env.put(Setting.CDC_NAME.envName(), name);
        env.put(Setting.HTTP_PORT.envName(), "0");
        env.put(Setting.SINK_TYPE.envName(), "duckdb");
        env.put(Setting.DUCKDB_PATH.envName(), duckFile.toString());
        env.put(Setting.CDC_SOURCE_MODE.envName(), "pipelineRef");
        env.put(Setting.CDC_SOURCE_TABLE.envName(), "ORDERS");
        env.put(Setting.CDC_KEY_COLUMNS.envName(), "ORDERID");
        env.put(Setting.CDC_INTERVAL.envName(), cdcInterval);
        if (cdcBatchSize != null) {
            env.put(Setting.CDC_BATCH_SIZE.envName(), Integer.toString(cdcBatchSize));
        }
        if (cdcSnapshotBatchSize != null) {
            env.put(Setting.CDC_SNAPSHOT_BATCH_SIZE.envName(), Integer.toString(cdcSnapshotBatchSize));
        }
        env.put(Setting.CDC_AUDIT_INTERVAL.envName(), "1h");
        env.put(Setting.POSTGRES_TABLE.envName(), pgTable);
        return env;
    }

    /** The JVMs of the loader runs, the only ones {@link #profile} breaks down: profiled with --profile. */
    private ChildJvm.JvmOptions loaderJvm() {
        return new ChildJvm.JvmOptions(loaderHeap, loaderInitialHeap, javaOptions(), profile);
    }

    /** Consume-only and freshness: never profiled (samples nobody reads would only cost those runs CPU). */
    private ChildJvm.JvmOptions jvm() {
        return new ChildJvm.JvmOptions(loaderHeap, loaderInitialHeap, javaOptions(), false);
    }

    private List<String> javaOptions() {
        return loaderJavaOptions.isBlank() ? List.of() : List.of(loaderJavaOptions.trim().split("\\s+"));
    }

    private BenchRows rows() {
        return new BenchRows(orderStream(), TOPIC, partitions, List.of("orderid"));
    }

    /** The topic's orders: every one new, or with --production-mix updates and tombstones among them. */
    private OrderGenerator orderStream() {
        return productionMix ? new OrderGenerator(SEED, UPDATES, TOMBSTONES) : new OrderGenerator(SEED, 0.0, 0.0);
    }


    // ---- results

    /** A child JVM's CPU time (all its threads) over its measured window, per order. */
    private double cpuMicrosPerRecord(Map<String, Object> report) {
        return round(((Number) report.get("cpuNanos")).longValue() / 1000.0 / orders);
    }

    private static Map<String, Object> rate(Rate r, String ceilingName, Rate ceiling, Double target) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recordsPerSecond", Math.round(r.recordsPerSecond()));
        m.put("megabytesPerSecond", round(r.megabytesPerSecond()));
        m.put("seconds", round(r.elapsed().toMillis() / 1000.0));
        if (ceiling != null) {
            double ratio = r.recordsPerSecond() / ceiling.recordsPerSecond();
            m.put("ceiling", ceilingName);
            m.put("ratio", round(ratio));
            if (target != null) {
                m.put("target", target);
                m.put("met", ratio >= target);
            }
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private void report(Map<String, Object> results) throws Exception {
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
            return;
        }
        Map<String, Object> rates = (Map<String, Object>) results.get("rates");
        out.println();
        out.println("`bench` " + results.get("date") + ", " + results.get("machine") + "; " + String.format("%,d", orders)
                + " orders" + (productionMix ? String.format(", %.0f %% of them updates and %.0f %% tombstones", UPDATES * 100, TOMBSTONES * 100) : "")
                + " (" + (results.containsKey("topicBytes")
                        ? String.format("%.0f", ((Number) results.get("topicBytes")).longValue() / 1e6) + " MB" : "topic not measured") + "), "
                + partitions + " partitions, batches of " + batchRecords + " / " + maxLatency + ", loader -Xmx" + loaderHeap
                + jvm().initialHeapFlag().map(xms -> " " + xms).orElse("")
                + (loaderJavaOptions.isBlank() ? "" : " " + loaderJavaOptions.trim())
                + (postgresSharedBuffers.equals(BenchPostgres.DEFAULT_SHARED_BUFFERS) ? "" : ", PostgreSQL shared_buffers " + postgresSharedBuffers));
        out.println();
        out.println("| measure | rate | MB/s | ceiling | ratio | target |");
        out.println("|---|---:|---:|---|---:|---|");
        row("ceiling A: consume-only (poll and discard)", rates.get("consumeOnly"), "records/s");
        row("ceiling B: DuckDB Appender, rows from memory", rates.get("duckdbAppender"), "rows/s");
        row("ceiling B: PostgreSQL COPY, rows from memory", rates.get("postgresCopy"), "rows/s");
        row("sink alone: the loader's DuckDB upsert (keys staged, delete, rows appended straight in, offsets), rows from memory", rates.get("sinkAloneDuckdb"), "rows/s");
        row("sink alone: the loader's PostgreSQL upsert (COPY, INSERT … ON CONFLICT, offsets), rows from memory", rates.get("sinkAlonePostgres"), "rows/s");
        row("loader → DuckDB (upsert, exactly once)", rates.get("loaderDuckdb"), "records/s");
        row("loader → DuckDB, against its sink alone", rates.get("loaderDuckdbOfSinkAlone"), "records/s");
        row("loader → DuckDB, pipeline full (first commit → last but one), against its sink alone",
                rates.get("loaderDuckdbSteadyOfSinkAlone"), "records/s");
        row("loader → PostgreSQL (upsert, exactly once)", rates.get("loaderPostgres"), "records/s");
        row("loader → PostgreSQL, against its sink alone", rates.get("loaderPostgresOfSinkAlone"), "records/s");
        row("loader → PostgreSQL, pipeline full (first commit → last but one), against its sink alone",
                rates.get("loaderPostgresSteadyOfSinkAlone"), "records/s");
        row("replicator DuckDB → PostgreSQL (snapshot)", rates.get("replicatorPostgres"), "rows/s");
        if (results.containsKey("scaling")) {
            Map<String, Object> s = (Map<String, Object>) results.get("scaling");
            row(s.get("loaders") + " loader JVMs → PostgreSQL, one group", s, "records/s");
        }
        Map<String, Object> cpu = (Map<String, Object>) results.get("cpuMicrosPerRecord");
        if (cpu == null) {
            return; // --replicator-only: rates only
        }
        out.printf("| CPU per record, whole JVM, first record → last commit: consume-only / loader → DuckDB / loader → PostgreSQL | %.2f / %.2f / %.2f µs | | | | each loader ≤ %.0f µs %s / %s |%n",
                cpu.get("consumeOnly"), cpu.get("loaderDuckdb"), cpu.get("loaderPostgres"), cpu.get("loaderTarget"),
                tick(cpu.get("loaderDuckdbMet")), tick(cpu.get("loaderPostgresMet")));
        Map<String, Object> f = (Map<String, Object>) results.get("freshness");
        if (f != null) {
            out.printf("| freshness at %,d orders/s (%,d achieved): record → committed, p50 / p99 / max | %,d / %,d / %,d ms | | maxLatency + 1 s | | p99 ≤ %,d ms %s |%n",
                    f.get("ordersPerSecond"), f.get("achievedOrdersPerSecond"), f.get("committedP50Millis"), f.get("committedP99Millis"), f.get("committedMaxMillis"),
                    f.get("committedP99TargetMillis"), tick(f.get("committedP99Met")));
            out.printf("| freshness: record → visible in PostgreSQL (replicator every %s), p50 / p99 / max | %,d / %,d / %,d ms | | maxLatency + CDC interval + 1 s | | p99 ≤ %,d ms %s |%n",
                    f.get("cdcInterval"), f.get("visibleP50Millis"), f.get("visibleP99Millis"), f.get("visibleMaxMillis"),
                    f.get("visibleP99TargetMillis"), tick(f.get("visibleP99Met")));
        }
        Map<String, Object> memory = (Map<String, Object>) results.get("loaderMemory");
        for (String sink : List.of("duckdb", "postgres")) {
            Map<String, Object> m = (Map<String, Object>) memory.get(sink);
            long heap = ((Number) m.get("peakHeapBytes")).longValue();
            out.printf("| loader → %s: peak heap / peak RSS | %,d / %,d MiB | | -Xmx%s | | heap ≤ 512 MiB %s |%n",
                    sink.equals("duckdb") ? "DuckDB" : "PostgreSQL", heap >> 20,
                    ((Number) m.get("peakRssBytes")).longValue() >> 20, loaderHeap, tick(heap <= 512L << 20));
        }
        if (results.containsKey("stalledSink")) {
            Map<String, Object> st = (Map<String, Object>) results.get("stalledSink");
            String during = st.containsKey("peakHeapBytesDuringStall")
                    ? String.format("%,d / %,d MiB", ((Number) st.get("peakHeapBytesDuringStall")).longValue() >> 20,
                            ((Number) st.get("peakRssBytesDuringStall")).longValue() >> 20)
                    : "–";
            String outcome = (Boolean) st.get("outOfMemory") ? "OutOfMemoryError" : String.format("%s; paused %.1f s; %,d of %,d live orders loaded%s",
                    during, ((Number) st.get("pausedMillisDuringStall")).longValue() / 1000.0,
                    ((Number) st.get("liveRows")).longValue(), ((Number) st.get("expectedLiveOrders")).longValue(),
                    (Boolean) st.get("allLoadedOnce") ? " once" : "");
            out.printf("| loader → PostgreSQL, table locked %d s: peak heap / RSS during the stall; partitions paused; then loaded | %s | | -Xmx%s | | no OOM at -Xmx%s %s |%n",
                    ((Number) st.get("stallSeconds")).intValue(), outcome, st.get("loaderHeap"), st.get("loaderHeap"),
                    tick(st.get("met")));
        }
    }

    @SuppressWarnings("unchecked")
    private void row(String name, Object value, String unit) {
        if (value == null) {
            return; // a run not made (--loader-only)
        }
        Map<String, Object> m = (Map<String, Object>) value;
        String ceiling = m.containsKey("ceiling") ? String.valueOf(m.get("ceiling")) : "";
        String ratio = m.containsKey("ratio") ? String.format("%.2f", ((Number) m.get("ratio")).doubleValue()) : "";
        String target = m.containsKey("target")
                ? "≥ " + m.get("target") + " " + tick(m.get("met")) : "";
        double mbps = ((Number) m.get("megabytesPerSecond")).doubleValue();
        out.printf("| %s | %,d %s | %s | %s | %s | %s |%n", name, ((Number) m.get("recordsPerSecond")).longValue(), unit,
                mbps > 0 ? String.format("%.1f", mbps) : "", ceiling, ratio, target);
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    /** A met target's mark in the table. */
    private static String tick(Object met) {
        return Boolean.TRUE.equals(met) ? "✓" : "✗";
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void status(String line) {
        System.err.println("bench: " + line);
    }

    private static ProgressBar bar(String task, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build();
    }
}
