package dev.orderpipeline.warehouse;

/**
 * A row's RECORD_METADATA. Its JSON text is asked for only when the row is staged, so that the
 * loader's poll thread does not spend its time writing text for rows that a later version of the
 * same key replaces before the commit.
 */
@FunctionalInterface
public interface RecordMetadata {

    /** The JSON object as Snowflake's Kafka connector writes it (topic, partition, offset, timestamp, key, headers). */
    String json();

    /**
     * Appends the same text to {@code out}: a sink that stages many rows writes each into one reused buffer
     * instead of a new string a row.
     */
    default void appendJson(StringBuilder out) {
        out.append(json());
    }

    /** The record's Kafka timestamp in epoch milliseconds, or -1 when it has none (Kafka's own convention). */
    default long timestamp() {
        return -1;
    }

    /** The heap this metadata holds (see {@link HeapSize}): by default its text and the object holding it. */
    default long heldBytes() {
        return 16 + HeapSize.string(json());
    }

    /** Metadata whose text is already known. */
    static RecordMetadata ofJson(String json) {
        return () -> json;
    }
}
