package dev.orderpipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.generate.OrderProducer;
import dev.orderpipeline.runtime.LoaderProcess;
import dev.orderpipeline.source.KafkaClientProperties;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline-runtime bench}: the loader against the ceilings of this machine, measured in the
 * same run on loopback, reported as ratios (absolute numbers on shared machines are noisy).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the loader into DuckDB against the consume-only and bulk-insert ceilings.")
public final class BenchCommand implements Callable<Integer> {
    private static final String TOPIC = "bench-orders";

    @Option(names = "--orders", defaultValue = "1000000", description = "Orders to produce (default: ${DEFAULT-VALUE}).")
    long orders;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--json", description = "Print the results as JSON instead of a Markdown table.")
    boolean json;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("opl-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic(TOPIC, partitions);
            try (ProgressBar bar = bar("produce", orders)) {
                new OrderProducer(KafkaClientProperties.producer(kafka.bootstrapServers()))
                        .produce(TOPIC, new OrderGenerator(1, 0.0, 0.0), orders, 0, bar::stepTo);
            }
            LoaderConfig config = LoaderConfig.from(new Environment(Map.of(
                    Setting.PIPELINE_NAME.envName(), "bench",
                    Setting.HTTP_PORT.envName(), "0",
                    Setting.KAFKA_BOOTSTRAP_SERVERS.envName(), kafka.bootstrapServers(),
                    Setting.KAFKA_TOPIC.envName(), TOPIC,
                    Setting.DUCKDB_PATH.envName(), work.resolve("bench.duckdb").toString(),
                    Setting.SINK_KEY_FIELDS.envName(), "orderid",
                    Setting.ERROR_TOLERANCE.envName(), "none")));
            int maxPoll = Math.min(config.batch().maxRecords(), 10_000);

            Rate consumeOnly = ConsumeOnlyCeiling.measure(config.source(), maxPoll, orders);
            Rate appendOnly = DuckDbAppendCeiling.measure(work.resolve("ceiling.duckdb"), orders);
            Rate loader = measureLoader(config);
            report(consumeOnly, appendOnly, loader);
        }
        return 0;
    }

    private Rate measureLoader(LoaderConfig config) throws Exception {
        try (LoaderProcess process = new LoaderProcess(config, "127.0.0.1"); ProgressBar bar = bar("load", orders)) {
            Thread thread = new Thread(process::run, "bench-loader");
            thread.start();
            long first = 0;
            long committed = 0;
            while (committed < orders) {
                var status = process.status().snapshot();
                if (first == 0 && status.recordsConsumed() > 0) {
                    first = System.nanoTime();
                }
                committed = status.committedOffsets().values().stream().mapToLong(Long::longValue).sum();
                bar.stepTo(committed);
                Thread.sleep(5);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - first);
            process.stop();
            thread.join();
            return new Rate(orders, 0, elapsed);
        }
    }

    private void report(Rate consumeOnly, Rate appendOnly, Rate loader) throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("date", LocalDate.now().toString());
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB max heap, Java " + System.getProperty("java.version"));
        results.put("orders", orders);
        results.put("consumeOnlyRecordsPerSecond", Math.round(consumeOnly.recordsPerSecond()));
        results.put("duckdbAppenderRowsPerSecond", Math.round(appendOnly.recordsPerSecond()));
        results.put("loaderRecordsPerSecond", Math.round(loader.recordsPerSecond()));
        results.put("loaderToConsumeOnly", round(loader.recordsPerSecond() / consumeOnly.recordsPerSecond()));
        results.put("loaderToDuckdbAppender", round(loader.recordsPerSecond() / appendOnly.recordsPerSecond()));
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(results));
            return;
        }
        out.println();
        out.println("| measure (" + results.get("date") + ", " + results.get("machine") + ", " + orders + " orders) | rate | ratio |");
        out.println("|---|---:|---:|");
        out.printf("| ceiling A: consume-only | %,d records/s | 1.00 |%n", results.get("consumeOnlyRecordsPerSecond"));
        out.printf("| ceiling B: DuckDB Appender | %,d rows/s | |%n", results.get("duckdbAppenderRowsPerSecond"));
        out.printf("| loader → DuckDB (upsert, exactly once) | %,d records/s | %.2f of A |%n",
                results.get("loaderRecordsPerSecond"), (double) results.get("loaderToConsumeOnly"));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static ProgressBar bar(String task, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build();
    }
}
