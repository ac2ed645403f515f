package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import dev.orderpipeline.warehouse.SnowflakeWarehouse;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's date and time columns reach PostgreSQL with the same types (an instant as timestamptz, a
 * wall-clock timestamp as timestamp, date, time) and every value to the microsecond, from DuckDB and from
 * fakesnow (a Snowflake TIME to the millisecond: its JDBC driver keeps no more).
 */
class TemporalColumnsReplicationTest {
    static final List<Column> TEMPORAL = List.of(
            new Column(SqlIdentifier.of("SHIPPED_AT"), ColumnType.TIMESTAMP),
            new Column(SqlIdentifier.of("LOCAL_AT"), ColumnType.TIMESTAMP_LOCAL),
            new Column(SqlIdentifier.of("PROMISED_DAY"), ColumnType.DATE),
            new Column(SqlIdentifier.of("CUTOFF"), ColumnType.TIME));

    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = new EmbeddedPostgres(dir.resolve("pg")).start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    @Test
    void dateAndTimeColumnsOfDuckDbReplicateWithTheirTypesAndEveryMicrosecond() throws Exception {
        Path db = dir.resolve("temporal.duckdb");
        OrderChanges changes = new OrderChanges(47);
        Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
        env.put(Setting.CDC_NAME.envName(), "temporal-duck");
        env.put(Setting.POSTGRES_TABLE.envName(), "orders_temporal_duck");
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 300, TEMPORAL, 0.0, 0.0);
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, "public.orders_temporal_duck", changes.live(), Duration.ofMinutes(2));
                changes.writeBatch(w, 200, TEMPORAL, 0.4, 0.05); // updates carry new dates and times
                CdcHarness.awaitPostgresEquals(pg, "public.orders_temporal_duck", changes.live(), Duration.ofMinutes(2));
                List<String> source;
                try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
                    source = temporalRows(c, "SELECT \"ORDERID\", \"SHIPPED_AT\", \"LOCAL_AT\", \"PROMISED_DAY\", \"CUTOFF\" FROM "
                            + CdcHarness.DUCK_TABLE + " WHERE NOT \"_DELETED\"", false);
                }
                assertTrue(source.stream().anyMatch(r -> r.matches(".*\\|\\d{2}:\\d{2}:\\d{2}\\.\\d{6}")),
                        "the source has times of day with microseconds: " + source.subList(0, 3));
                assertPostgresHas(source, "orders_temporal_duck");
                assertNull(cdc.failure.get());
            }
        }
    }

    @Test
    void dateAndTimeColumnsOfFakesnowReplicateWithTheirTypesAndEveryMicrosecond() throws Exception {
        try (FakesnowServer fakesnow = new FakesnowServer(dir.resolve("fakesnow")).start()) {
            SinkConfig.Snowflake sink = new SinkConfig.Snowflake(fakesnow.jdbcUrl(), "fakesnow", "LOADER", Optional.empty(),
                    Optional.empty(), SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"), SqlIdentifier.of("ORDERS"),
                    List.of("orderid"), SnowflakeKeyPair.pem(null), Optional.empty());
            OrderChanges changes = new OrderChanges(53);
            Map<String, String> env = CdcHarness.fakesnowEnv(fakesnow, pg);
            env.put(Setting.CDC_NAME.envName(), "temporal-snow");
            env.put(Setting.POSTGRES_TABLE.envName(), "orders_temporal_snow");
            try (SnowflakeWarehouse w = new SnowflakeWarehouse(sink, "cdc-test")) {
                changes.writeBatch(w, 40, TEMPORAL, 0.0, 0.0);
            }
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, "public.orders_temporal_snow", changes.live(), Duration.ofMinutes(2));
                List<String> source;
                try (Connection c = CdcHarness.fakesnowConnection(fakesnow)) {
                    // The TIME column as its text (every digit): Snowflake's driver keeps only its milliseconds, and so
                    // does the replicator from a Snowflake source (the README's known limits).
                    source = temporalRows(c, "SELECT ORDERID, SHIPPED_AT, LOCAL_AT, PROMISED_DAY, CAST(CUTOFF AS VARCHAR) FROM "
                            + "ANALYTICS.RAW.ORDERS WHERE NOT _DELETED", true);
                }
                assertPostgresHas(source, "orders_temporal_snow");
                assertNull(cdc.failure.get());
            }
        }
    }

    private static void assertPostgresHas(List<String> source, String table) throws SQLException {
        assertTrue(source.size() > 10 && source.stream().anyMatch(r -> r.matches("\\d+\\|[^|]*\\.\\d{6}Z\\|.*")),
                "the source has instants with microseconds: " + source.subList(0, Math.min(3, source.size())));
        try (Connection c = pg.connect()) {
            assertEquals(source, temporalRows(c, "SELECT orderid, shipped_at, local_at, promised_day, cutoff FROM public." + table,
                    false));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT column_name, data_type FROM "
                    + "information_schema.columns WHERE table_name = '" + table + "' AND column_name IN "
                    + "('shipped_at', 'local_at', 'promised_day', 'cutoff') ORDER BY column_name")) {
                List<String> types = new ArrayList<>();
                while (rs.next()) {
                    types.add(rs.getString(1) + " " + rs.getString(2));
                }
                assertEquals(List.of("cutoff time without time zone", "local_at timestamp without time zone",
                        "promised_day date", "shipped_at timestamp with time zone"), types);
            }
        }
    }

    /** id|instant|local timestamp|date|time, as java.time spells them (every digit, or the time's milliseconds), sorted. */
    private static List<String> temporalRows(Connection c, String sql, boolean timeToTheMillisecond) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Object time = time(rs, 5);
                if (timeToTheMillisecond && time != null) {
                    time = ((java.time.LocalTime) time).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                }
                rows.add(rs.getLong(1) + "|" + instant(rs, 2) + "|" + local(rs, 3) + "|" + date(rs, 4) + "|" + time);
            }
        }
        Collections.sort(rows);
        return rows;
    }

    private static Object instant(ResultSet rs, int column) throws SQLException {
        try {
            OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        } catch (SQLException | RuntimeException unsupported) {
            java.sql.Timestamp t = rs.getTimestamp(column);
            return t == null ? null : t.toInstant();
        }
    }

    private static Object local(ResultSet rs, int column) throws SQLException {
        try {
            return rs.getObject(column, LocalDateTime.class);
        } catch (SQLException | RuntimeException unsupported) {
            java.sql.Timestamp t = rs.getTimestamp(column);
            return t == null ? null : t.toLocalDateTime();
        }
    }

    private static Object date(ResultSet rs, int column) throws SQLException {
        try {
            return rs.getObject(column, LocalDate.class);
        } catch (SQLException | RuntimeException unsupported) {
            String s = rs.getString(column);
            return s == null ? null : LocalDate.parse(s);
        }
    }

    /** JDBC 4.2's LocalTime (PostgreSQL), else ISO-8601 text (DuckDB's TIME, a TIME cast to text on fakesnow). */
    private static Object time(ResultSet rs, int column) throws SQLException {
        if (rs.getMetaData().getColumnType(column) != java.sql.Types.VARCHAR) {
            try {
                return rs.getObject(column, java.time.LocalTime.class);
            } catch (SQLException | RuntimeException unsupported) {
                // DuckDB: no JDBC 4.2 LocalTime; its text has every digit
            }
        }
        String s = rs.getString(column);
        return s == null ? null : java.time.LocalTime.parse(s.trim());
    }
}
