package dev.orderpipeline.warehouse;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one place that decides whether a warehouse failure is the rows' fault. When in doubt it
 * answers {@link FailureKind#TRANSIENT}: a failure retried in plain sight costs time, a failure
 * wrongly blamed on the rows would send good records to the dead-letter topic.
 *
 * <ul>
 *   <li>SQLState classes 21 (cardinality), 22 (data exception) and 23 (integrity constraint) are about
 *   values: {@code DATA}. So is class 42 (a value the statement cannot take), except the codes that
 *   name the statement or the table rather than a value (undefined table or column, privilege,
 *   syntax): {@code TRANSIENT}. The loader still proves a {@code DATA} verdict by running the
 *   statements without rows before it blames any row.</li>
 *   <li>DuckDB's JDBC driver gives no SQLState: its message starts with the error type
 *   ({@code Constraint Error: …}, {@code Conversion Error: …}), read here. Since 1.5 the driver wraps an
 *   error a plain statement met before it ran (binding, casting its constants) in an
 *   {@code Invalid Input Error} of its own; the type read is the wrapped one's.</li>
 *   <li>Everything else — classes 08 (connection), 40 (serialization, deadlock), 53 (resources), 55P03
 *   (lock not available), 57 (operator intervention, statement timeout), HY (driver), and unknown
 *   errors — is {@code TRANSIENT}.</li>
 * </ul>
 */
public final class WarehouseErrors {
    private static final Set<String> DATA_CLASSES = Set.of("21", "22", "23", "42");
    /** Class 42 codes that blame the statement or the table, never a row (PostgreSQL, Snowflake, ANSI). */
    private static final Set<String> STATEMENT_CODES = Set.of(
            "42501", // insufficient privilege
            "42601", // syntax error
            "42P01", // undefined table
            "42703", // undefined column
            "42883", // undefined function
            "42S02", // table not found (ANSI / Snowflake)
            "42S22", // column not found
            "42000"); // Snowflake: SQL compilation error (syntax, unknown object)
    /** DuckDB error types (the message's prefix) that are about values. */
    private static final List<String> DUCKDB_DATA_ERRORS = List.of(
            "constraint error", "conversion error", "out of range error", "invalid input error",
            "mismatch type error", "decimal error", "divide by zero error");
    /** The wrapper duckdb_jdbc 1.5 puts around an error a statement met before it ran; the real one follows. */
    private static final String DUCKDB_PENDING_WRAPPER =
            "invalid input error: attempting to execute an unsuccessful or closed pending query result";
    private static final String DUCKDB_WRAPPED_PREFIX = "error: ";

    private WarehouseErrors() {
    }

    public static FailureKind classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FencedException) {
                return FailureKind.FENCED;
            }
            if (t instanceof SQLException sql) {
                return classify(sql);
            }
        }
        return FailureKind.TRANSIENT;
    }

    private static FailureKind classify(SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.length() >= 2) {
            String stateClass = state.substring(0, 2);
            if (!DATA_CLASSES.contains(stateClass) || STATEMENT_CODES.contains(state.toUpperCase(Locale.ROOT))) {
                return FailureKind.TRANSIENT;
            }
            return FailureKind.DATA;
        }
        String message = duckDbError(e.getMessage() == null ? "" : e.getMessage()).toLowerCase(Locale.ROOT);
        return DUCKDB_DATA_ERRORS.stream().anyMatch(message::startsWith) ? FailureKind.DATA : FailureKind.TRANSIENT;
    }

    /** The message of the error DuckDB met, out of duckdb_jdbc's wrapper if there is one ("" if it names none). */
    private static String duckDbError(String message) {
        if (!message.regionMatches(true, 0, DUCKDB_PENDING_WRAPPER, 0, DUCKDB_PENDING_WRAPPER.length())) {
            return message;
        }
        int wrapped = message.toLowerCase(Locale.ROOT).indexOf(DUCKDB_WRAPPED_PREFIX, DUCKDB_PENDING_WRAPPER.length());
        return wrapped < 0 ? "" : message.substring(wrapped + DUCKDB_WRAPPED_PREFIX.length());
    }

    /**
     * The database's own words about a failure: the first SQL error's SQLState and message; DuckDB's taken out of
     * its driver's wrapper, since it becomes a dead-lettered record's reason and the status's last error.
     */
    public static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                if (sql.getSQLState() != null) {
                    return "SQLState " + sql.getSQLState() + ": " + sql.getMessage();
                }
                String message = String.valueOf(sql.getMessage());
                String wrapped = duckDbError(message);
                return wrapped.isEmpty() ? message : wrapped;
            }
        }
        return failure.toString();
    }

    /** The SQLState of the first SQL error in the chain, or null. */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
