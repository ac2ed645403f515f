package dev.orderpipeline.cdc;

import dev.orderpipeline.config.SqlIdentifier;
import java.util.Locale;

/**
 * PostgreSQL names. Warehouse identifiers are upper case (Snowflake folds unquoted names up);
 * PostgreSQL folds them down, so the target uses the lower-case spelling, validated with
 * {@link SqlIdentifier}'s pattern and PostgreSQL's 63-byte limit, and always emitted quoted, so that
 * dashboards can write {@code select orderid from orders} without quotes.
 */
public final class PgNames {
    private PgNames() {
    }

    public static boolean isValid(String name) {
        return SqlIdentifier.isValid(name) && name.length() <= 63 && !name.contains("$");
    }

    /** The lower-case PostgreSQL name of a warehouse identifier; throws if PostgreSQL cannot hold it. */
    public static String of(SqlIdentifier identifier) {
        String name = identifier.name().toLowerCase(Locale.ROOT);
        if (!isValid(name)) {
            throw new IllegalArgumentException("column " + identifier.name() + " cannot be a PostgreSQL identifier "
                    + "(at most 63 characters of letters, digits and _)");
        }
        return name;
    }

    public static String quote(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a valid PostgreSQL identifier");
        }
        return '"' + name + '"';
    }
}
