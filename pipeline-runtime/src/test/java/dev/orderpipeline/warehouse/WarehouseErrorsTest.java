package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Which warehouse failures blame the rows, which are retried, which mean another loader owns the partition. */
class WarehouseErrorsTest {

    @Test
    void valueAndConstraintErrorsBlameTheRows() {
        for (String state : new String[] {"22001", "22003", "22021", "22P02", "22P05", "23502", "23505", "23514", "21000", "42804", "22018"}) {
            assertEquals(FailureKind.DATA, WarehouseErrors.classify(new SQLException("refused", state)), state);
        }
    }

    @Test
    void ourOwnConversionFailureIsAboutTheRows() {
        assertEquals(FailureKind.DATA, WarehouseErrors.classify(
                new RuntimeException(new SQLDataException("3.5 does not fit BIGINT column ORDERUNITS", "22003"))));
    }

    @Test
    void connectionLockTimeoutAndStatementLevelErrorsAreRetried() {
        for (String state : new String[] {"08006", "08001", "40001", "40P01", "53300", "55P03", "57014", "57P01", "HY000",
                "XX000", "0A000", "42501", "42P01", "42703", "42601", "42S02", "42000"}) {
            assertEquals(FailureKind.TRANSIENT, WarehouseErrors.classify(new SQLException("failed", state)), state);
        }
        assertEquals(FailureKind.TRANSIENT, WarehouseErrors.classify(new SQLException("no state at all")));
        assertEquals(FailureKind.TRANSIENT, WarehouseErrors.classify(new IllegalStateException("not SQL")));
    }

    @Test
    void aFencedCommitIsNeitherRetriedNorBlamedOnRows() {
        assertEquals(FailureKind.FENCED, WarehouseErrors.classify(new FencedException("partition 0 moved on")));
    }

    @Test
    void duckDbErrorsAreReadFromTheirTypeBecauseTheDriverGivesNoSqlState() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (a BIGINT NOT NULL CHECK (a < 10), b VARCHAR)");
            }
            assertEquals(FailureKind.DATA, kindOf(c, "INSERT INTO t VALUES (NULL, 'x')"));
            assertEquals(FailureKind.DATA, kindOf(c, "INSERT INTO t VALUES (11, 'x')"));
            assertEquals(FailureKind.DATA, kindOf(c, "INSERT INTO t VALUES ('abc', 'x')"));
            assertEquals(FailureKind.DATA, kindOf(c, "SELECT CAST(1e30 AS BIGINT)"));
            assertEquals(FailureKind.TRANSIENT, kindOf(c, "SELECT * FROM no_such_table"));
            assertEquals(FailureKind.TRANSIENT, kindOf(c, "SELEC 1"));
        }
    }

    @Test
    void aDuckDbErrorWrappedByTheDriverIsReadFromTheErrorInside() {
        String wrapper = "Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result\nError: ";
        assertEquals(FailureKind.DATA, WarehouseErrors.classify(
                new SQLException(wrapper + "Conversion Error: Could not convert string 'abc' to INT64")));
        assertEquals(FailureKind.TRANSIENT, WarehouseErrors.classify(
                new SQLException(wrapper + "Catalog Error: Table with name no_such_table does not exist!")));
        assertEquals(FailureKind.TRANSIENT, WarehouseErrors.classify(new SQLException(
                "Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result")),
                "a wrapper naming no error inside blames no row");
        assertEquals("Conversion Error: Could not convert string 'abc' to INT64", WarehouseErrors.describe(
                new SQLException(wrapper + "Conversion Error: Could not convert string 'abc' to INT64")),
                "the reason a record is dead-lettered for names DuckDB's error, not the driver's wrapper");
    }

    private static FailureKind kindOf(Connection c, String statement) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement s = c.createStatement()) {
                s.execute(statement);
            }
        });
        return WarehouseErrors.classify(e);
    }
}
