package dev.orderpipeline.format;

import static dev.orderpipeline.format.ConfluentAvroLoadTest.ORDER_V1;
import static dev.orderpipeline.format.ConfluentAvroLoadTest.ORDER_V2;
import static dev.orderpipeline.format.ConfluentAvroLoadTest.avroEnv;
import static dev.orderpipeline.format.ConfluentAvroLoadTest.order;
import static dev.orderpipeline.format.ConfluentAvroLoadTest.rows;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.EmbeddedKafka;
import dev.orderpipeline.load.LoaderState;
import dev.orderpipeline.load.LoaderStatus;
import dev.orderpipeline.testing.ConfluentProducer;
import dev.orderpipeline.testing.InMemorySchemaRegistry;
import dev.orderpipeline.testing.InProcessLoader;
import dev.orderpipeline.testing.KafkaExtension;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.OrderTopics;
import dev.orderpipeline.testing.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Schema Registry going away while a loader reads, and coming back: said everywhere, nothing lost or skipped. */
@ExtendWith(KafkaExtension.class)
class SchemaRegistryOutageTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aRegistryOutageMidStreamStallsTheLoaderVisiblyInStatusAndMetricsThenEverythingLoadsOnce(EmbeddedKafka kafka)
            throws Exception {
        String topic = SharedKafka.uniqueTopic("sr-outage");
        String staging = topic + "-staging";
        kafka.createTopic(topic, 2);
        kafka.createTopic(staging, 1);
        try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry().start()) {
            new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("v1", ORDER_V1).schema("v2", ORDER_V2)
                    .record("v1", 0, order(0, 0)) // registers v1 first, so v2 is version 2
                    .send(dir);
            // Written now by Confluent's serializer under this topic's subject (a new schema version the loader has
            // not seen), moved into the topic only once the registry is down.
            ConfluentProducer later = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), staging, "avro", "string")
                    .schema("v2", ORDER_V2);
            for (int i = 100; i < 200; i++) {
                Map<String, Object> v2 = order(i, i);
                v2.put("discount", null);
                later.record("v2", i, v2, topic);
            }
            later.send(dir);
            ConfluentProducer first = new ConfluentProducer(kafka.bootstrapServers(), registry.url(), topic, "avro", "string")
                    .schema("v1", ORDER_V1);
            for (int i = 1; i < 100; i++) {
                first.record("v1", i, order(i, i));
            }
            first.send(dir);

            Path db = dir.resolve("w.duckdb");
            Map<String, String> env = avroEnv(LoaderEnv.duckdb(kafka.bootstrapServers(), topic, db, "orderid"), registry);
            try (InProcessLoader loader = InProcessLoader.start(env)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 100);
                assertNull(loader.status().snapshot().schemaRegistryUnavailableSince());
                assertTrue(metrics(loader).contains(gauge(topic) + " 0.0"), metrics(loader));

                registry.stop();
                List<ProducerRecord<byte[], byte[]>> moved = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : OrderTopics.readAll(kafka, staging)) {
                    moved.add(new ProducerRecord<>(topic, null, r.key(), r.value(), r.headers()));
                }
                assertEquals(100, moved.size());
                OrderTopics.produceRaw(kafka, topic, moved);

                await().atMost(Duration.ofMinutes(1)).until(() -> loader.status().snapshot().schemaRegistryUnavailableSince() != null
                        && loader.status().snapshot().state() == LoaderState.STALLED);
                LoaderStatus.Snapshot down = loader.status().snapshot();
                assertTrue(down.lastError().contains("the Schema Registry at " + registry.url() + " does not answer"),
                        down.lastError());
                assertTrue(down.waitingFor().contains("the Schema Registry, which does not answer since "
                        + down.schemaRegistryUnavailableSince()), down.waitingFor());
                assertEquals(100, down.recordsLoaded(), "nothing past the record that needs the registry is loaded");
                assertEquals(0, down.recordsDeadLettered(), "nor skipped");
                assertTrue(metrics(loader).contains(gauge(topic) + " 1.0"), metrics(loader));
                JsonNode status = new ObjectMapper().readTree(get(loader, "/status"));
                assertEquals(down.schemaRegistryUnavailableSince(), status.path("schemaRegistryUnavailableSince").asText());
                assertEquals("STALLED", status.path("state").asText());
                assertTrue(loader.isRunning());

                registry.start();
                await().atMost(Duration.ofMinutes(2)).until(() -> loader.committedRecords() == 200);
                LoaderStatus.Snapshot up = loader.status().snapshot();
                assertEquals(200, up.recordsLoaded());
                assertEquals(0, up.recordsDeadLettered());
                assertNull(up.schemaRegistryUnavailableSince());
                assertTrue(metrics(loader).contains(gauge(topic) + " 0.0"), metrics(loader));
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                Map<Long, String> rows = rows(c, "SELECT \"ORDERID\", (\"RECORD_METADATA\"->>'schema_id') FROM \"main\".\"ORDERS\"");
                assertEquals(200, rows.size(), "every order once");
                assertEquals(Integer.toString(registry.id(topic + "-value", 1)), rows.get(99L));
                assertEquals(Integer.toString(registry.id(topic + "-value", 2)), rows.get(100L));
                assertEquals(Integer.toString(registry.id(topic + "-value", 2)), rows.get(199L));
            }
        }
    }

    private static String gauge(String topic) {
        return "orderpipeline_loader_schema_registry_unavailable{pipeline=\"test-" + topic + "\",sink=\"duckdb\",topic=\""
                + topic + "\"}";
    }

    private static String metrics(InProcessLoader loader) throws Exception {
        return get(loader, "/metrics");
    }

    private static String get(InProcessLoader loader, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + loader.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
