package dev.orderpipeline.schema;

/**
 * A value that its column's type cannot hold without losing information. The message is the whole
 * story (value, column, type, why), so that it can go to the dead-letter topic as is.
 */
public final class NotConvertibleException extends Exception {
    public NotConvertibleException(String message) {
        super(message, null, false, false); // refused values can be frequent: no stack trace
    }
}
