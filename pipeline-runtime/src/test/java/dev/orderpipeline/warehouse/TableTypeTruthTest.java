package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.testing.LoaderEnv;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLDataException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The table's column types are the truth shared by every loader: two warehouse sessions that
 * assumed different types for one column, on each dialect (Snowflake through fakesnow).
 */
class TableTypeTruthTest {
    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;
    static FakesnowServer fakesnow;

    @BeforeAll
    static void start() {
        pg = new EmbeddedPostgres(dir.resolve("pg")).start();
        fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start();
    }

    @AfterAll
    static void stop() {
        pg.close();
        fakesnow.close();
    }

    /** One sink of the dialect, its table, and a way to read it. */
    record Sink(String dialect, String table) {
        Warehouse warehouse() {
            SqlIdentifier name = SqlIdentifier.of(table);
            return switch (dialect) {
                case "duckdb" -> new DuckDbWarehouse(dir.resolve("truth.duckdb").toString(), SqlIdentifier.of("main"), name);
                case "postgres" -> {
                    Map<String, String> env = new java.util.HashMap<>(LoaderEnv.postgresTarget(pg, "unused"));
                    env.put(Setting.SINK_TYPE.envName(), "postgres");
                    env.put(Setting.SINK_TABLE.envName(), table);
                    yield Warehouses.forSink(SinkConfig.from(new Environment(env)), "truth");
                }
                default -> Warehouses.forSink(new SinkConfig.Snowflake(fakesnow.jdbcUrl(), "fakesnow", "LOADER",
                        Optional.empty(), Optional.empty(), SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"), name,
                        List.of(), SnowflakeKeyPair.pem(null), Optional.empty()), "truth");
            };
        }

        Connection connect() throws Exception {
            return switch (dialect) {
                case "duckdb" -> DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("truth.duckdb"));
                case "postgres" -> pg.connect();
                default -> {
                    Properties p = new Properties();
                    p.put("user", "CHECKER");
                    p.put("password", "unused");
                    p.put("db", "ANALYTICS");
                    p.put("schema", "RAW");
                    yield DriverManager.getConnection(fakesnow.jdbcUrl(), p);
                }
            };
        }

        String qualified() {
            return switch (dialect) {
                case "duckdb" -> "\"main\".\"" + table + "\"";
                case "postgres" -> "\"" + table + "\"";
                default -> "\"ANALYTICS\".\"RAW\".\"" + table + "\"";
            };
        }

        /** The column's values, exact (decimals without trailing zeros), and its JDBC type name and scale. */
        List<String> values(String column, List<String> typeOut) throws Exception {
            List<String> values = new ArrayList<>();
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT \"" + column + "\" FROM " + qualified())) {
                ResultSetMetaData md = rs.getMetaData();
                typeOut.add(md.getColumnTypeName(1).toUpperCase() + "/" + md.getScale(1));
                while (rs.next()) {
                    Object v = rs.getObject(1);
                    values.add(v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(v));
                }
            }
            return values;
        }
    }

    static Sink sink(String dialect) {
        return new Sink(dialect, "TRUTH_" + UUID.randomUUID().toString().substring(0, 8).toUpperCase());
    }

    /** Each test is its own pipeline (named like its table), so that their offsets never meet. */
    static Batch batch(Sink sink, Column column, long expected, Object... values) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            rows.add(new Row(new Object[] {values[i]}, false, "{\"offset\":" + (expected + i) + "}", 0, expected + i));
        }
        long from = expected;
        return new Batch(sink.table(), "orders", List.of(column), List.of(), rows,
                Map.of(0, new OffsetAdvance(from, Math.max(0, from) + values.length)), 0L);
    }

    static Column column(String name, ColumnType type) {
        return new Column(SqlIdentifier.of(name), type);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres", "snowflake"})
    void aFractionFromALoaderThatAssumedAnotherTypeWidensTheIntegerColumnAndNoValueIsRounded(String dialect) throws Exception {
        Sink sink = sink(dialect);
        try (Warehouse first = sink.warehouse(); Warehouse second = sink.warehouse()) {
            first.open();
            TableShape secondShape = new TableShape(second.open()); // opened before the column existed
            second.syncShape(secondShape);
            first.storedOffsets(sink.table(), "orders", List.of(0));
            first.write(batch(sink, column("DISCOUNT", ColumnType.BIGINT), -1, 0L, 9_007_199_254_740_993L, Long.MAX_VALUE));
            second.write(batch(sink, column("DISCOUNT", ColumnType.DOUBLE), 3, 0.15));
            assertEquals(List.of(column("DISCOUNT", ColumnType.DECIMAL)), secondShape.snapshot(), "the shape learnt the table's type");
            first.write(batch(sink, column("DISCOUNT", ColumnType.BIGINT), 4, 5L)); // still assumes BIGINT: widened losslessly
        }
        List<String> type = new ArrayList<>();
        assertEquals(new TreeSet<>(List.of("0", "9007199254740993", "9223372036854775807", "0.15", "5")),
                new TreeSet<>(sink.values("DISCOUNT", type)));
        assertTrue(type.get(0).endsWith("/" + ColumnType.DECIMAL_SCALE), type.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres", "snowflake"})
    void aNarrowerTypeIsConvertedToTheTablesTypeAndAValueItCannotHoldFailsTheWriteAsADataError(String dialect)
            throws Exception {
        Sink sink = sink(dialect);
        try (Warehouse first = sink.warehouse(); Warehouse second = sink.warehouse()) {
            first.open();
            TableShape secondShape = new TableShape(second.open());
            second.syncShape(secondShape);
            first.storedOffsets(sink.table(), "orders", List.of(0));
            first.write(batch(sink, column("QTY", ColumnType.BIGINT), -1, 1L));
            second.write(batch(sink, column("QTY", ColumnType.VARCHAR), 1, "5"));
            assertEquals(List.of(column("QTY", ColumnType.BIGINT)), secondShape.snapshot());
            SQLDataException refused = assertThrows(SQLDataException.class,
                    () -> second.write(batch(sink, column("QTY", ColumnType.VARCHAR), 2, "7", "n/a")));
            assertEquals("22018", refused.getSQLState());
            assertEquals("the value 'n/a' does not fit column QTY of type BIGINT (the table's type; record 0@3)",
                    refused.getMessage());
            assertEquals(Map.of(0, 2L), second.storedOffsets(sink.table(), "orders", List.of(0)), "nothing written");
        }
        List<String> type = new ArrayList<>();
        assertEquals(new TreeSet<>(List.of("1", "5")), new TreeSet<>(sink.values("QTY", type)));
    }

    @org.junit.jupiter.api.Test
    void snowflakeRebuildsAColumnToWidenItBecauseItCannotChangeANumbersScaleInPlace() {
        SnowflakeSql sql = new SnowflakeSql(SqlIdentifier.of("DB"), SqlIdentifier.of("S"), SqlIdentifier.of("T"));
        String scratch = "\"_OPL_WIDEN_" + Integer.toHexString("DISCOUNT".hashCode()).toUpperCase() + "\"";
        assertEquals(List.of(
                "ALTER TABLE \"DB\".\"S\".\"T\" ADD COLUMN IF NOT EXISTS " + scratch + " NUMBER(38,18)",
                "UPDATE \"DB\".\"S\".\"T\" SET " + scratch + " = \"DISCOUNT\"",
                "ALTER TABLE \"DB\".\"S\".\"T\" DROP COLUMN \"DISCOUNT\"",
                "ALTER TABLE \"DB\".\"S\".\"T\" RENAME COLUMN " + scratch + " TO \"DISCOUNT\""),
                sql.widenColumn(column("DISCOUNT", ColumnType.DECIMAL)));
        assertEquals(List.of("ALTER TABLE \"T\" ALTER COLUMN \"DISCOUNT\" SET DATA TYPE NUMERIC(38,18)"),
                new PostgresSql(SqlIdentifier.of("T")).widenColumn(column("DISCOUNT", ColumnType.DECIMAL)));
    }
}
