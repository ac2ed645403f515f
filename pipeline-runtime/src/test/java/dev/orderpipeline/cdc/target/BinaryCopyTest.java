package dev.orderpipeline.cdc.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicator's binary COPY stores every value of every type exactly as PostgreSQL stores the same value
 * given as text (its own parser is the reference): numerics with their scale, dates and timestamps on both
 * sides of 2000-01-01 (PostgreSQL's epoch) and 1970, sub-microsecond digits rounded as the server rounds them,
 * text and JSON outside ASCII, NULL in every type.
 */
class BinaryCopyTest {
    private static final List<CdcColumn> COLUMNS = List.of(
            new CdcColumn("id", CdcType.BIGINT), new CdcColumn("l", CdcType.BIGINT), new CdcColumn("d", CdcType.DOUBLE),
            new CdcColumn("n", CdcType.NUMERIC), new CdcColumn("b", CdcType.BOOLEAN), new CdcColumn("t", CdcType.TEXT),
            new CdcColumn("j", CdcType.JSON), new CdcColumn("day", CdcType.DATE), new CdcColumn("tod", CdcType.TIME),
            new CdcColumn("ts", CdcType.TIMESTAMP), new CdcColumn("tstz", CdcType.TIMESTAMPTZ));

    @TempDir
    Path dir;

    @Test
    void everyTypeIsStoredAsPostgresStoresTheSameValueGivenAsText() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {1L, Long.MIN_VALUE, 0.1, new BigDecimal("0"), true, "plain", "{\"a\":[1,2,{\"b\":null}],\"c\":\"ü\"}",
                LocalDate.of(2000, 1, 1), LocalTime.MIDNIGHT, LocalDateTime.of(2000, 1, 1, 0, 0), Instant.parse("2000-01-01T00:00:00Z")});
        rows.add(new Object[] {2L, Long.MAX_VALUE, -1e300, new BigDecimal("0.00"), false, "ünïcødé ✓ 𝄞", "[]",
                LocalDate.of(1969, 12, 31), LocalTime.of(23, 59, 59, 999_999_000), LocalDateTime.of(1900, 1, 1, 0, 0, 0, 1000),
                Instant.parse("1969-12-31T23:59:59.999999Z")});
        rows.add(new Object[] {3L, 0L, Double.NaN, new BigDecimal("12345.6789"), null, "", "{}",
                LocalDate.of(1, 1, 1), LocalTime.of(12, 34, 56, 789_012_000), LocalDateTime.of(2026, 12, 2, 17, 0, 0, 123_456_789),
                Instant.parse("2026-11-26T07:30:13.000000001Z")});
        rows.add(new Object[] {4L, -1L, Double.POSITIVE_INFINITY, new BigDecimal("-0.0001"), true, "quote \" comma , tab \t newline \n \\",
                "\"text\"", LocalDate.of(9999, 12, 31), LocalTime.of(0, 0, 0, 789), LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_999),
                Instant.parse("1900-06-30T12:00:00.123456789Z")});
        List<String> numerics = List.of("1E-30", "123456789012345678901234567890.123456789", "-0.5", "1E+5", "10000", "9999.9999",
                "100000000", "-12345678.000100", "0.00001", "5E-7");
        long id = 5;
        for (String n : numerics) {
            rows.add(new Object[] {id++, null, null, new BigDecimal(n), null, null, null, null, null, null, null});
        }
        rows.add(new Object[] {id, null, null, null, null, null, null, null, null, null, null});

        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start(); Connection c = pg.connect()) {
            String definition = COLUMNS.stream().map(col -> col.quoted() + " " + col.type().pgType()).collect(Collectors.joining(", "));
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE binary_copy (" + definition + ")");
                s.execute("CREATE TABLE text_input (" + definition + ")");
            }
            c.setAutoCommit(false);
            new BinaryCopy().copy(c, "COPY binary_copy FROM STDIN (FORMAT binary)", COLUMNS,
                    rows.stream().map(r -> new Change(r, false)).toList(), false, null);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO text_input VALUES (" + COLUMNS.stream()
                    .map(col -> "CAST(? AS " + col.type().pgType() + ")").collect(Collectors.joining(", ")) + ")")) {
                for (Object[] row : rows) {
                    for (int i = 0; i < row.length; i++) {
                        insert.setString(i + 1, row[i] == null ? null : row[i] instanceof BigDecimal d ? d.toPlainString()
                                : row[i].toString());
                    }
                    insert.executeUpdate();
                }
            }
            c.commit();
            List<String> copied = rowsOf(c, "binary_copy");
            assertEquals(rows.size(), copied.size());
            assertEquals(rowsOf(c, "text_input"), copied);
        }
    }

    @Test
    void aNulInTextIsRefusedNamingTheColumn() throws Exception {
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start(); Connection c = pg.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE nul (id bigint, t text)");
            }
            List<CdcColumn> columns = List.of(new CdcColumn("id", CdcType.BIGINT), new CdcColumn("t", CdcType.TEXT));
            SQLException e = assertThrows(SQLException.class, () -> new BinaryCopy().copy(c, "COPY nul FROM STDIN (FORMAT binary)",
                    columns, List.of(new Change(new Object[] {1L, "a\0b"}, false)), false, null));
            assertEquals("22P05", e.getSQLState());
            assertEquals(true, e.getMessage().startsWith("column t: "), e.getMessage());
        }
    }

    /** Each row as PostgreSQL prints it (row_to_json: numerics with their scale, timestamps to the microsecond). */
    private static List<String> rowsOf(Connection c, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT row_to_json(x)::text FROM " + table + " x ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
