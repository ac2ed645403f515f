package dev.orderpipeline.cdc.replication;


/** The sync stopped on an error that retrying cannot fix (schema change, stale stream, configuration). */
public class CdcStoppedException extends RuntimeException {
    public CdcStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}
