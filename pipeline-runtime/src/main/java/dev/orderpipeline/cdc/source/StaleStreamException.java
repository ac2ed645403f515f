package dev.orderpipeline.cdc.source;

/** The Snowflake stream outlived the table's data retention: its changes are lost, a re-snapshot is needed. */
public class StaleStreamException extends RuntimeException {
    public StaleStreamException(String message) {
        super(message);
    }
}
