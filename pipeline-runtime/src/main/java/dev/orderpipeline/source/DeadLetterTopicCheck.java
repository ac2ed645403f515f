package dev.orderpipeline.source;

import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.KafkaSourceConfig;
import dev.orderpipeline.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, a dead-letter topic that does not exist is a configuration error, said once, instead
 * of every bad record waiting on the producer's metadata. A broker that does not answer in time is
 * not: the loader starts, and dead-letter sends wait and retry like any other.
 */
public final class DeadLetterTopicCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTopicCheck.class);

    private DeadLetterTopicCheck() {
    }

    public static void requireExists(KafkaSourceConfig source, String topic, Duration timeout) {
        Admin admin = Admin.create(KafkaClientProperties.admin(source));
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new ConfigException(Setting.DEAD_LETTER_TOPIC.envName() + "=" + topic + " names a topic that does "
                        + "not exist on " + source.bootstrapServers() + ": create it (as many partitions as you like; "
                        + "the loader does not create topics), or point " + Setting.DEAD_LETTER_TOPIC.envName()
                        + " at an existing one");
            }
            LOG.warn("cannot check that the dead-letter topic {} exists: {}", topic, e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.warn("cannot check within {} s that the dead-letter topic {} exists; starting anyway", timeout.toSeconds(), topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
