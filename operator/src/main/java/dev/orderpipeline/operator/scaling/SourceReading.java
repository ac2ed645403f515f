package dev.orderpipeline.operator.scaling;

import java.time.Instant;

/**
 * What the operator last learned about a pipeline's source topic from Kafka: its partitions and the
 * consumer group's lag, or why they could not be read.
 *
 * @param reachable  whether the reading succeeded
 * @param partitions partitions of the topic; null when not reachable
 * @param lag        records not yet committed by the consumer group, summed over partitions; null when not reachable
 * @param reason     CamelCase reason for the SourceReachable condition
 * @param message    what happened and how to fix it; stable between readings (no exception text with ids
 *                   or timings), so an unchanged failure causes no status write; never carries a credential
 * @param readAt     when the reading was taken
 * @param committedPartitions partitions the consumer group has committed offsets for (0 when not reachable): a
 *                   new pipeline over a group that has some resumes where an earlier one stopped
 */
public record SourceReading(boolean reachable, Integer partitions, Long lag, String reason, String message,
                            Instant readAt, int committedPartitions) {
    public static final String READ = "LagRead";
    public static final String UNREACHABLE = "BootstrapUnreachable";
    public static final String TOPIC_NOT_FOUND = "TopicNotFound";
    public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
    public static final String NOT_AUTHORIZED = "NotAuthorized";
    public static final String CREDENTIALS_UNAVAILABLE = "CredentialsUnavailable";

    public static SourceReading of(int partitions, long lag, String topic, Instant at) {
        return of(partitions, lag, 0, topic, at);
    }

    public static SourceReading of(int partitions, long lag, int committedPartitions, String topic, Instant at) {
        return new SourceReading(true, partitions, lag, READ,
                "Read the consumer lag of topic '" + topic + "' (" + partitions + " partitions).", at, committedPartitions);
    }

    public static SourceReading failed(String reason, String message, Instant at) {
        return new SourceReading(false, null, null, reason, message, at, 0);
    }
}
