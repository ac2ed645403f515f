package dev.orderpipeline.format;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.testing.ConfluentProducer;
import dev.orderpipeline.testing.InMemorySchemaRegistry;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The registry outage every Confluent format must ride out: records written while the registry answered,
 * a loader started while it does not: nothing is loaded or skipped, /status names the registry, and once it
 * answers again every record loads exactly once.
 */
final class RegistryOutageScenario {
    private static final int ORDERS = 300;

    private RegistryOutageScenario() {
    }

    static void run(EmbeddedKafka kafka, Path dir, String format, String schema, IntFunction<Map<String, Object>> order)
            throws Exception {
        String topic = SharedKafka.uniqueTopic(format.replace('_', '-') + "-outage");
        kafka.createTopic(topic, 2);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            ConfluentProducer producer = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, format, "string")
                    .schema("v1", schema);
            for (int i = 0; i < ORDERS; i++) {
                producer.record("v1", i, order.apply(i));
            }
            producer.send(dir);
            registry.stop();
            Path db = dir.resolve("outage.duckdb");
            Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
            env.put(Setting.KAFKA_VALUE_FORMAT.envName(), format);
            env.put(Setting.KAFKA_KEY_FORMAT.envName(), "string");
            env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(1)).until(() -> {
                    String error = loader.status().snapshot().lastError();
                    return error != null && error.contains("the Schema Registry at " + registry.url() + " does not answer");
                });
                assertEquals(0, loader.status().snapshot().recordsLoaded());
                assertTrue(loader.isRunning());
                registry.start();
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == ORDERS);
                assertEquals(ORDERS, loader.status().snapshot().recordsLoaded());
                assertEquals(0, loader.status().snapshot().recordsDeadLettered());
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\") FROM \"main\".\"ORDERS\"")) {
                rs.next();
                assertEquals(ORDERS, rs.getLong(1));
                assertEquals(ORDERS, rs.getLong(2));
            }
        }
    }
}
