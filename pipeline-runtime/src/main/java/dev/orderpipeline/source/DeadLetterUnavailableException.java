package dev.orderpipeline.source;

/** The dead-letter topic did not take records it owes; they stay owed and the batch that skipped them waits. */
public final class DeadLetterUnavailableException extends RuntimeException {
    public DeadLetterUnavailableException(String message) {
        super(message);
    }
}
