package dev.orderpipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
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
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            long consumed = 0;
            while (consumed < 300 && System.nanoTime() < deadline) {
                String status = loader.get("/status");
                consumed = status == null ? 0 : new ObjectMapper().readTree(status).get("recordsConsumed").asLong();
                Thread.sleep(100);
            }
            assertEquals(300, consumed, loader.output());
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
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            long loaded = 0;
            while (loaded < 100 && System.nanoTime() < deadline) {
                String status = loader.get("/status");
                loaded = status == null ? 0 : new ObjectMapper().readTree(status).get("recordsLoaded").asLong();
                Thread.sleep(100);
            }
            assertEquals(100, loaded, loader.output());
            loader.kill(); // as the OOM killer would: no shutdown hook, so DuckDB's driver deletes nothing at exit
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("libduckdb_java")).toList(),
                    "a pod's /tmp outlives its container's restarts: each killed JVM would leave the driver's 58 MB copy there");
        }
    }
}
