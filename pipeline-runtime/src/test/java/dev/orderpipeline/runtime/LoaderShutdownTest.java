package dev.orderpipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.RuntimeChild;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class LoaderShutdownTest {
    @TempDir
    Path dir;

    @Test
    void sigtermFlushesAndCommitsTheBufferedRecordsThenExitsZero(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("sigterm");
        kafka.createTopic(topic, 2);
        Path db = dir.resolve("w.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
        // Nothing would be flushed for an hour: only the shutdown can commit these records.
        env.put("OPL_BATCH_MAX_LATENCY", "1h");
        env.put("OPL_BATCH_MAX_RECORDS", "1000000");
        OrderTopics.produceOrders(kafka, topic, 300, 0, 0, 9, 0);
        try (RuntimeChild loader = RuntimeChild.start(dir, env, "load")) {
            assertEquals(300, loader.awaitStatusCount("recordsConsumed", 300, Duration.ofMinutes(1)), loader.output());
            assertEquals(0, loader.terminate(Duration.ofSeconds(60)), loader.output());
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), (SELECT sum(\"NEXT_OFFSET\") FROM \"main\".\"ORDERPIPELINE_OFFSETS\") "
                     + "FROM \"main\".\"ORDERS\"")) {
            assertTrue(rs.next());
            assertEquals(300, rs.getLong(1));
            assertEquals(300, rs.getLong(2));
        }
    }

    @Test
    void aLoaderKilledWithSigkillLeavesNoCopyOfDuckDbsNativeLibraryInItsTemporaryDirectory(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("sigkill-tmp");
        kafka.createTopic(topic, 1);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, dir.resolve("w.duckdb"), "orderid");
        env.put("JDK_JAVA_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        OrderTopics.produceOrders(kafka, topic, 100, 0, 0, 9, 0);
        try (RuntimeChild loader = RuntimeChild.start(dir, env, "load")) {
            assertEquals(100, loader.awaitStatusCount("recordsLoaded", 100, Duration.ofMinutes(1)), loader.output());
            loader.kill(); // as the OOM killer would: no shutdown hook, so DuckDB's driver deletes nothing at exit
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("libduckdb_java")).toList(),
                    "a pod's /tmp outlives its container's restarts: each killed JVM would leave the driver's 58 MB copy there");
        }
    }
}
