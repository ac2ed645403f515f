package dev.orderpipeline.cdc;

/** A source column changed in a way the target cannot follow without a silent cast: the sync stops. */
public class SchemaIncompatibleException extends RuntimeException {
    private final String column;

    public SchemaIncompatibleException(String column, String message) {
        super(message);
        this.column = column;
    }

    public String column() {
        return column;
    }
}
