package dev.orderpipeline.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.generate.OrderProducer;
import dev.orderpipeline.source.KafkaClientProperties;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.RuntimeChild;
import dev.orderpipeline.testing.SharedKafka;
import dev.orderpipeline.verify.ExpectedOrders;
import dev.orderpipeline.verify.WarehouseOrders;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader runs in a child JVM and is killed with SIGKILL at random moments while orders (with
 * updates and deletions) stream in; each time it restarts. At the end the warehouse must equal the
 * state computed independently from the topic: nothing lost, nothing twice, deletions applied.
 */
@ExtendWith(KafkaExtension.class)
class ExactlyOnceCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Lives killed per run, each at a random moment of a running load (a random seed per run, printed on
     * failure); every further kill repeats the same proof for about 10 s of suite time per test.
     */
    private static final int KILLS = 6;

    @TempDir
    Path dir;

    @Test
    void upsertsIntoDuckDbSurviveRepeatedSigkillsWithNothingLostOrDoubled(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("crash-duck-upsert");
        Path db = dir.resolve("warehouse.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");

        loadWhileKilling(kafka, topic, env, 120_000);

        ExpectedOrders expected = ExpectedOrders.fromTopic(kafka.bootstrapServers(), topic);
        assertTrue(expected.tombstones() > 1000, "the stream must exercise deletions");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
            assertEquals(expected.live(), WarehouseOrders.live(c, "\"main\".\"ORDERS\""));
        }
    }

    @Test
    void appendsIntoDuckDbSurviveRepeatedSigkillsWithEveryRecordExactlyOnce(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("crash-duck-append");
        Path db = dir.resolve("warehouse.duckdb");
        Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "");

        long produced = loadWhileKilling(kafka, topic, env, 100_000);

        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT (json_extract(\"RECORD_METADATA\", '$.partition'), "
                     + "json_extract(\"RECORD_METADATA\", '$.offset'))), count(*) FILTER (WHERE \"_DELETED\") FROM \"main\".\"ORDERS\"")) {
            rs.next();
            assertEquals(produced, rs.getLong(1), "one row per record");
            assertEquals(produced, rs.getLong(2), "no record loaded twice");
            assertEquals(ExpectedOrders.fromTopic(kafka.bootstrapServers(), topic).tombstones(), rs.getLong(3));
        }
    }

    @Test
    void upsertsIntoSnowflakeSurviveRepeatedSigkillsWithNothingLostOrDoubled(EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("crash-snow-upsert");
        try (FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            Map<String, String> env = LoaderEnv.snowflake(kafka.bootstrapServers(), topic, fakesnow, "ORDERS", "orderid");

            // fakesnow executes an array bind row by row (~200 rows/s here), so this run is smaller
            // than the DuckDB ones; the kills, the restarts and the check are the same.
            loadWhileKilling(kafka, topic, env, 4_000);

            ExpectedOrders expected = ExpectedOrders.fromTopic(kafka.bootstrapServers(), topic);
            try (Connection c = fakesnowConnection(fakesnow)) {
                assertEquals(expected.live(), WarehouseOrders.live(c, "\"ANALYTICS\".\"RAW\".\"ORDERS\""));
            }
        }
    }

    static Connection fakesnowConnection(FakesnowServer fakesnow) throws Exception {
        Properties p = new Properties();
        p.put("user", "CHECKER");
        p.put("password", "unused");
        p.put("db", "ANALYTICS");
        p.put("schema", "RAW");
        return DriverManager.getConnection(fakesnow.jdbcUrl(), p);
    }

    /** Produces in the background and kills the loader KILLS times; returns the records produced. */
    private long loadWhileKilling(EmbeddedKafka kafka, String topic, Map<String, String> env, long events)
            throws Exception {
        kafka.createTopic(topic, 4);
        // Orders keep flowing until the kills are over (and at least `events` were sent), so that
        // every life of the loader has something to load when it is killed.
        int perSecond = (int) Math.max(1, events / 40);
        AtomicBoolean killsOver = new AtomicBoolean();
        CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> {
            OrderGenerator generator = new OrderGenerator(11, 0.2, 0.05);
            OrderProducer producer = new OrderProducer(KafkaClientProperties.producer(kafka.bootstrapServers()));
            long sent = 0;
            while (!killsOver.get() || sent < events) {
                producer.produce(topic, generator, 1_000, perSecond, n -> { });
                sent += 1_000;
            }
            return sent;
        });
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long committedBefore = 0;
        int livesThatCommitted = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            try (RuntimeChild loader = RuntimeChild.start(dir, env, "load")) {
                // Kill at a random moment after this life has started committing, so that every
                // kill interrupts a running load rather than a JVM that is still starting.
                long committed = awaitProgress(loader, committedBefore, Duration.ofSeconds(60));
                long lifeEnds = System.nanoTime() + Duration.ofMillis(random.nextInt(2500)).toNanos();
                while (System.nanoTime() < lifeEnds) {
                    committed = Math.max(committed, committedSum(loader));
                    Thread.sleep(50);
                }
                assertTrue(loader.isAlive(), "the loader died by itself (seed " + seed + "):\n" + loader.output());
                loader.kill();
                if (committed > committedBefore) {
                    livesThatCommitted++;
                }
                committedBefore = committed;
            }
        }
        killsOver.set(true);
        assertTrue(producing.get() >= events);
        assertTrue(livesThatCommitted >= KILLS / 2, "only " + livesThatCommitted + " of " + KILLS
                + " killed loaders had committed anything: the kills did not interrupt a load");
        long produced = OrderTopics.endOffsetSum(kafka, topic);
        try (RuntimeChild loader = RuntimeChild.start(dir, env, "load")) {
            awaitCommitted(loader, produced, Duration.ofMinutes(4));
            assertEquals(0, loader.terminate(Duration.ofSeconds(60)), loader.output());
        }
        return produced;
    }

    /** Waits until the loader has committed past {@code before}; returns what it has committed. */
    static long awaitProgress(RuntimeChild loader, long before, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long committed = committedSum(loader);
        while (committed <= before && System.nanoTime() < deadline && loader.isAlive()) {
            Thread.sleep(50);
            committed = committedSum(loader);
        }
        return committed;
    }

    static long committedSum(RuntimeChild loader) throws Exception {
        String status = loader.get("/status");
        if (status == null) {
            return 0;
        }
        long committed = 0;
        for (JsonNode offset : JSON.readTree(status).path("committedOffsets")) {
            committed += offset.asLong();
        }
        return committed;
    }

    static void awaitCommitted(RuntimeChild loader, long total, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long committed = 0;
        while (System.nanoTime() < deadline) {
            committed = committedSum(loader);
            if (committed >= total) {
                return;
            }
            assertTrue(loader.isAlive(), "the loader exited:\n" + loader.output());
            Thread.sleep(250);
        }
        throw new AssertionError("only " + committed + " of " + total + " records committed in " + timeout + ":\n"
                + loader.output());
    }
}
