package dev.orderpipeline.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The state a topic of order change events describes, computed independently of the loader: read
 * every partition from the beginning with a plain consumer, last value per key wins, a tombstone
 * deletes, a record that is not a valid order is counted as malformed.
 */
public record ExpectedOrders(Map<Long, OrderState> live, long events, long tombstones, long malformed) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ExpectedOrders fromTopic(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        Map<Long, OrderState> live = new HashMap<>();
        long events = 0;
        long tombstones = 0;
        long malformed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    events++;
                    if (r.value() == null) {
                        tombstones++;
                        live.remove(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8)));
                        continue;
                    }
                    OrderState order = parse(r.value());
                    if (order == null) {
                        malformed++;
                    } else {
                        live.put(order.orderid(), order);
                    }
                }
            }
        }
        return new ExpectedOrders(Map.copyOf(live), events, tombstones, malformed);
    }

    private static OrderState parse(byte[] value) {
        try {
            JsonNode n = JSON.readTree(value);
            JsonNode a = n.path("address");
            if (!n.path("orderid").canConvertToLong()) {
                return null;
            }
            return new OrderState(n.get("orderid").asLong(), n.path("itemid").asText(null),
                    n.path("orderunits").asDouble(), a.path("city").asText(null), a.path("state").asText(null),
                    a.path("zipcode").asLong());
        } catch (Exception e) {
            return null;
        }
    }
}
