package dev.orderpipeline.warehouse;

/** Record metadata with a Kafka timestamp, for rows whose timestamp a test sets. */
record StampedMetadata(String json, long timestamp) implements RecordMetadata {
}
