package dev.orderpipeline.warehouse;

/** What a failed warehouse call means for the loader; {@link WarehouseErrors#classify} decides. */
public enum FailureKind {
    /** The connection, a lock, a timeout, the server's resources, or anything not recognisably the rows' fault: retry. */
    TRANSIENT,
    /** Some rows are at fault (a value, a constraint): find them, dead-letter them, commit the rest. */
    DATA,
    /** Another loader owns a partition now ({@link FencedException}): nothing to retry. */
    FENCED
}
