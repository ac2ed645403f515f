package dev.orderpipeline.cdc.target;

/** The state row moved under this replicator (another instance of the sync committed): nothing was applied. */
public class FencedSyncException extends RuntimeException {
    public FencedSyncException(String message) {
        super(message);
    }
}
