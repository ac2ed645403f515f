package dev.orderpipeline.source;

/** A record that cannot become a row; it goes to the dead-letter topic with this message. */
public class RecordConversionException extends Exception {
    public RecordConversionException(String message) {
        super(message);
    }

    public RecordConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
