package dev.orderpipeline.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated SQL identifier (database, schema, table or column). Names that come from a resource
 * or a record are never concatenated raw into SQL: they are checked against a conservative pattern,
 * folded to upper case as Snowflake folds unquoted names, and always emitted quoted.
 */
public record SqlIdentifier(String name) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,254}");

    public SqlIdentifier {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a valid SQL identifier: use letters, digits, "
                    + "_ and $, starting with a letter or _, at most 255 characters");
        }
        name = name.toUpperCase(Locale.ROOT);
    }

    public static SqlIdentifier of(String name) {
        return new SqlIdentifier(name);
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** The identifier in double quotes, safe to place in SQL text. */
    public String quoted() {
        return '"' + name + '"';
    }

    @Override
    public String toString() {
        return name;
    }
}
