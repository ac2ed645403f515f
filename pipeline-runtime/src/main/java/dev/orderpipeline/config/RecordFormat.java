package dev.orderpipeline.config;

/** How a record's key or value is written (OPL_KAFKA_VALUE_FORMAT, OPL_KAFKA_KEY_FORMAT). */
public enum RecordFormat {
    /** Schemaless JSON; for a key, also plain text standing for the one key field (the behaviour before formats existed). */
    JSON,
    /** Confluent wire format, Avro binary, schema from the registry. */
    AVRO,
    /** Confluent wire format, JSON text, JSON Schema from the registry. */
    JSON_SR,
    /** Confluent wire format, Protobuf (message indexes after the schema id), schema from the registry. */
    PROTOBUF,
    /** Plain UTF-8 text. */
    STRING;

    /** Whether the bytes carry a schema id that only a Schema Registry resolves. */
    public boolean needsRegistry() {
        return this == AVRO || this == JSON_SR || this == PROTOBUF;
    }

    /** The setting's spelling (lower case). */
    public String setting() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
