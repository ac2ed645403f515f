package dev.orderpipeline.format;

/** Bytes that cannot be decoded (bad framing, an unknown schema, a payload its schema does not read): a dead letter. */
public final class UndecodableException extends Exception {
    public UndecodableException(String message) {
        super(message);
    }

    public UndecodableException(String message, Throwable cause) {
        super(message, cause);
    }
}
