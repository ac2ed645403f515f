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

    /** Metadata whose text is already known. */
    static RecordMetadata ofJson(String json) {
        return () -> json;
    }
}
