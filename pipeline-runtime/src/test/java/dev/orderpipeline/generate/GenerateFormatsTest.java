package dev.orderpipeline.generate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.runtime.PipelineRuntime;
import dev.orderpipeline.testing.InMemorySchemaRegistry;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.SharedKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code generate --format}: what it writes in each Confluent format is what the loader reads, typed by the schema. */
@ExtendWith(KafkaExtension.class)
class GenerateFormatsTest {
    private static final int EVENTS = 600;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"avro", "json_sr", "protobuf"})
    void generatedOrdersInEachConfluentFormatLoadWithEveryLiveOrderOnce(String format, EmbeddedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueTopic("generate-" + format.replace('_', '-'));
        kafka.createTopic(topic, 2);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            int exit = new CommandLine(new PipelineRuntime()).execute("generate", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic", topic, "--count", Integer.toString(EVENTS), "--update-fraction", "0.2",
                    "--delete-fraction", "0.05", "--seed", "3", "--format", format, "--schema-registry-url", registry.url());
            assertEquals(0, exit);
            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid");
            env.put(Setting.KAFKA_VALUE_FORMAT.envName(), format);
            env.put(Setting.SCHEMA_REGISTRY_URL.envName(), registry.url());
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == EVENTS);
                assertEquals(EVENTS, loader.status().snapshot().recordsLoaded());
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT \"ORDERID\"), "
                        + "min(\"RECORD_METADATA\"->>'schema_id') FROM \"main\".\"ORDERS\" WHERE NOT \"_DELETED\"")) {
                    rs.next();
                    assertEquals(liveOrders(), rs.getLong(1), "every live order, once");
                    assertEquals(rs.getLong(1), rs.getLong(2));
                    assertEquals(Integer.toString(registry.id(topic + "-value", 1)), rs.getString(3));
                }
                try (ResultSet rs = s.executeQuery("SELECT data_type FROM information_schema.columns WHERE table_name = "
                        + "'ORDERS' AND column_name IN ('ORDERUNITS', 'ADDRESS_ZIPCODE') ORDER BY column_name")) {
                    rs.next();
                    assertEquals("BIGINT", rs.getString(1), "ADDRESS_ZIPCODE, as the schema declares it");
                    rs.next();
                    assertEquals("DOUBLE", rs.getString(1), "ORDERUNITS, as the schema declares it");
                }
            }
        }
    }

    /** The same seeded stream replayed: which order ids are live at its end (the encoding draws no randomness). */
    private static long liveOrders() {
        OrderGenerator generator = new OrderGenerator(3, 0.2, 0.05);
        Set<String> live = new HashSet<>();
        for (int i = 0; i < EVENTS; i++) {
            OrderGenerator.Event e = generator.next();
            String key = new String(e.key(), java.nio.charset.StandardCharsets.UTF_8);
            if (e.isDelete()) {
                live.remove(key);
            } else {
                live.add(key);
            }
        }
        return live.size();
    }
}
