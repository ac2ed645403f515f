package dev.orderpipeline.format;

/**
 * The Schema Registry did not answer (connection refused, timeout, a 5xx, 429): nothing is wrong with
 * the record, so it is neither loaded nor dead-lettered; the loader reads it again after a backoff.
 */
public final class SchemaRegistryUnavailableException extends RuntimeException {
    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
