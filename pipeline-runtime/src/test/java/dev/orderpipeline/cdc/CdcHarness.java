package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.cdc.replication.CdcStatus;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.embedded.FakesnowServer;
import dev.orderpipeline.embedded.FreePorts;
import dev.orderpipeline.embedded.SnowflakeKeyPair;
import dev.orderpipeline.runtime.CdcProcess;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.verify.OrderState;
import dev.orderpipeline.verify.WarehouseOrders;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** Environments and checks shared by the replicator's tests. */
final class CdcHarness {
    static final String PG_TABLE = "\"public\".\"orders\"";
    static final String DUCK_TABLE = "\"main\".\"ORDERS\"";

    private CdcHarness() {
    }

    static Map<String, String> duckDbEnv(Path db, EmbeddedPostgres pg) {
        Map<String, String> env = base(pg);
        env.put(Setting.SINK_TYPE.envName(), "duckdb");
        env.put(Setting.DUCKDB_PATH.envName(), db.toString());
        return env;
    }

    static Map<String, String> fakesnowEnv(FakesnowServer fakesnow, EmbeddedPostgres pg) {
        Map<String, String> env = base(pg);
        env.put(Setting.SINK_TYPE.envName(), "snowflake");
        env.put(Setting.SNOWFLAKE_ACCOUNT.envName(), "fakesnow");
        env.put(Setting.SNOWFLAKE_URL.envName(), fakesnow.jdbcUrl());
        env.put(Setting.SNOWFLAKE_USER.envName(), "REPLICATOR");
        env.put(Setting.SNOWFLAKE_DATABASE.envName(), "ANALYTICS");
        env.put(Setting.SNOWFLAKE_SCHEMA.envName(), "RAW");
        env.put(Setting.SNOWFLAKE_PRIVATE_KEY.envName(), SnowflakeKeyPair.pem(null));
        return env;
    }

    private static Map<String, String> base(EmbeddedPostgres pg) {
        Map<String, String> env = new HashMap<>(LoaderEnv.postgresTarget(pg, "orders"));
        env.put(Setting.CDC_NAME.envName(), "orders-analytics");
        env.put(Setting.HTTP_PORT.envName(), Integer.toString(FreePorts.next()));
        env.put(Setting.CDC_SOURCE_MODE.envName(), "pipelineRef");
        env.put(Setting.CDC_SOURCE_TABLE.envName(), "ORDERS");
        env.put(Setting.CDC_KEY_COLUMNS.envName(), "ORDERID");
        env.put(Setting.CDC_INTERVAL.envName(), "200ms");
        pageSize(env, 2000);
        env.put(Setting.CDC_AUDIT_INTERVAL.envName(), "2s");
        env.put(Setting.RETRY_MAX_BACKOFF.envName(), "1s");
        return env;
    }

    /** Pages of at most {@code rows} rows, of the snapshot and of changes alike, so that a test's few rows span several. */
    static void pageSize(Map<String, String> env, int rows) {
        env.put(Setting.CDC_BATCH_SIZE.envName(), Integer.toString(rows));
        env.put(Setting.CDC_SNAPSHOT_BATCH_SIZE.envName(), Integer.toString(rows));
    }

    static DuckDbWarehouse duckWarehouse(Path db) {
        return new DuckDbWarehouse(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"));
    }

    /** A replicator running in this JVM (sharing an open DuckDB database), stopped on close. */
    static final class InProcess implements AutoCloseable {
        final CdcProcess process;
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        InProcess(Map<String, String> env) throws Exception {
            CdcConfig config = CdcConfig.from(new Environment(env)).sharingDuckDb();
            process = new CdcProcess(config, "127.0.0.1");
            thread = new Thread(() -> {
                try {
                    process.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "cdc-under-test");
            thread.start();
        }

        CdcStatus.Snapshot status() {
            return process.status().snapshot();
        }

        @Override
        public void close() throws Exception {
            process.stop();
            thread.join(Duration.ofSeconds(30).toMillis());
            process.close();
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    /** Waits until PostgreSQL holds exactly {@code expected}. */
    static void awaitPostgresEquals(EmbeddedPostgres pg, Map<Long, OrderState> expected, Duration timeout) throws Exception {
        awaitPostgresEquals(pg, PG_TABLE, expected, timeout);
    }

    /** Waits until the PostgreSQL table {@code pgTable} holds exactly {@code expected}. */
    static void awaitPostgresEquals(EmbeddedPostgres pg, String pgTable, Map<Long, OrderState> expected, Duration timeout)
            throws Exception {
        AtomicReference<Map<Long, OrderState>> last = new AtomicReference<>();
        try {
            await("PostgreSQL to equal the warehouse", timeout, () -> {
                try (Connection c = pg.connect()) {
                    last.set(OrderChanges.postgresLive(c, pgTable));
                    return last.get().equals(expected);
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            Map<Long, OrderState> actual = last.get() == null ? Map.of() : last.get();
            throw new AssertionError(e.getMessage() + ": expected " + expected.size() + " rows, PostgreSQL has "
                    + actual.size() + "; differing keys e.g. " + expected.keySet().stream()
                    .filter(k -> !expected.get(k).equals(actual.get(k))).limit(5).toList() + " / "
                    + actual.keySet().stream().filter(k -> !expected.containsKey(k)).limit(5).toList());
        }
    }

    /** The rows of a query as text, one "a|b|c" line per row, sorted: for comparing two databases. */
    static java.util.List<String> rows(Connection c, String sql) throws java.sql.SQLException {
        java.util.List<String> rows = new java.util.ArrayList<>();
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        java.util.Collections.sort(rows);
        return rows;
    }

    /** One value from PostgreSQL, null when the query fails (the server is down, the table not there yet). */
    static String pgValue(EmbeddedPostgres pg, String sql) {
        try (Connection c = pg.connect(); java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (java.sql.SQLException e) {
            return null;
        }
    }

    static Map<Long, OrderState> duckLive(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
            return WarehouseOrders.live(c, DUCK_TABLE);
        }
    }

    /** Versions (partition:offset) of the live rows must be the same on both sides, not just values. */
    static void assertSameVersions(Connection warehouse, String metadataPartition, String metadataOffset, String table,
                                   EmbeddedPostgres pg) throws Exception {
        Map<Long, String> source = OrderChanges.versions(warehouse, "SELECT \"ORDERID\", " + metadataPartition + ", "
                + metadataOffset + " FROM " + table + " WHERE NOT \"_DELETED\"");
        try (Connection c = pg.connect()) {
            assertEquals(source, OrderChanges.versions(c, "SELECT orderid, _opl_partition, _opl_offset FROM " + PG_TABLE));
        }
    }

    static Connection fakesnowConnection(FakesnowServer fakesnow) throws Exception {
        Properties p = new Properties();
        p.put("user", "CHECKER");
        p.put("password", "unused");
        p.put("db", "ANALYTICS");
        p.put("schema", "RAW");
        return DriverManager.getConnection(fakesnow.jdbcUrl(), p);
    }
}
