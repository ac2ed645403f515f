package dev.orderpipeline.source;

import dev.orderpipeline.config.KafkaSourceConfig;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The Kafka client settings the loader runs with, in one place. */
public final class KafkaClientProperties {
    private KafkaClientProperties() {
    }

    /**
     * Manual commits (the warehouse holds the real offsets), read_committed so aborted transactional
     * writes never reach the warehouse, cooperative-sticky so a rebalance does not stop every loader.
     */
    public static Properties consumer(KafkaSourceConfig source, int maxPollRecords) {
        Properties p = common(source);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, source.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // Never reset silently: the loader seeks every partition itself (stored offset, or OPL_KAFKA_START_POSITION
        // for one never committed), and an offset outside the log is handled by OPL_KAFKA_OFFSET_RESET, loudly.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(source.sessionTimeout().toMillis()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(100, source.sessionTimeout().toMillis() / 5)));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 << 20));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "orderpipeline-loader-" + source.groupId());
        return p;
    }

    /** An idempotent producer (dead-letter topic, and the generator). */
    public static Properties producer(KafkaSourceConfig source) {
        return producer(common(source));
    }

    /**
     * The dead-letter producer: bounded waits (metadata 10 s, delivery 15 s) instead of the defaults'
     * 60 s and 120 s, so that an unavailable topic shows within seconds and a commit attempt ends.
     */
    public static Properties deadLetterProducer(KafkaSourceConfig source) {
        Properties p = producer(source);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "orderpipeline-dead-letters-" + source.groupId());
        return p;
    }

    /** An admin client with the loader's connection settings. */
    public static Properties admin(KafkaSourceConfig source) {
        Properties p = common(source);
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return p;
    }

    /** A producer to a local, unsecured broker (the generator, the demo). */
    public static Properties producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return producer(p);
    }

    private static Properties producer(Properties p) {
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private static Properties common(KafkaSourceConfig source) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, source.bootstrapServers());
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, source.securityProtocol().name());
        source.credentials().ifPresent(c -> {
            p.put(SaslConfigs.SASL_MECHANISM, source.saslMechanism());
            p.put(SaslConfigs.SASL_JAAS_CONFIG, loginModule(source.saslMechanism()) + " required "
                    + "username=\"" + jaasEscape(c.username()) + "\" password=\"" + jaasEscape(c.password()) + "\";");
        });
        KafkaSourceConfig.Tls tls = source.tls();
        tls.caFile().ifPresent(file -> {
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, file);
        });
        if (tls.mutual()) {
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            p.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, tls.certificateChain().orElseThrow());
            p.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, tls.privateKey().orElseThrow());
        }
        return p;
    }

    /** PLAIN sends the password; SCRAM proves it without sending it, and needs its own login module. */
    static String loginModule(String mechanism) {
        return mechanism.toUpperCase(java.util.Locale.ROOT).startsWith("SCRAM-")
                ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                : "org.apache.kafka.common.security.plain.PlainLoginModule";
    }

    private static String jaasEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
