package dev.orderpipeline.load;

/**
 * The warehouse refused a record's row and there is nowhere to put it (OPL_ERROR_TOLERANCE=none or no
 * dead-letter topic): the loader stops, naming the record and the database's message.
 */
public final class PoisonRecordException extends LoaderStoppedException {
    public PoisonRecordException(String message) {
        super(message);
    }
}
