package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbMemoryLimitTest {
    static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void aLoaderPodAtItsDefaultGibibyteWithHalfOfItAsHeapLeavesDuckDbWhatTheRestOfTheJvmDoesNotNeed() {
        DuckDbMemoryLimit limit = DuckDbMemoryLimit.leftBesideHeap(1024 * MIB, 512 * MIB);
        assertEquals("320MiB", limit.setting());
        assertFalse(limit.overcommits());
        assertTrue(limit.explanation().startsWith("DuckDB may hold 320 MiB: the 1024 MiB this process has, less the JVM's heap of up to 512 MiB"),
                limit.explanation());
    }

    @Test
    void aHeapThatLeavesDuckDbLessThanItsLeastIsSaidWithTheFix() {
        DuckDbMemoryLimit limit = DuckDbMemoryLimit.leftBesideHeap(1024 * MIB, 768 * MIB);
        assertEquals("128MiB", limit.setting());
        assertTrue(limit.overcommits());
        for (String fix : List.of("more memory", "-XX:MaxRAMPercentage", "OPL_DUCKDB_MEMORY_LIMIT")) {
            assertTrue(limit.explanation().contains(fix), limit.explanation());
        }
    }

    @Test
    void aDatabaseOpenedWithoutALimitGetsWhatTheJvmLeavesItNotDuckDbsOwnShareOfTheMachine() throws Exception {
        DuckDbMemoryLimit expected = DuckDbMemoryLimit.forThisJvm();
        try (Connection c = DuckDbSessions.open("")) {
            assertEquals(rendered(c, expected.bytes() / MIB * MIB), memoryLimit(c), expected.explanation());
        }
        try (Connection c = DuckDbSessions.open(dir.resolve("own-default.duckdb").toString(), new Properties())) {
            assertEquals(rendered(c, expected.bytes() / MIB * MIB), memoryLimit(c));
        }
    }

    @Test
    void aReaderOpenedWithoutTheLimitJoinsTheLoadersOpenDatabaseAndTheLimitStays() throws Exception {
        // The driver shares one database among a JVM's connections to a file, and refuses one whose properties differ.
        String file = dir.resolve("shared.duckdb").toString();
        try (Connection loader = DuckDbSessions.open(file, new Properties(), Optional.of("256MiB"));
             Connection reader = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file)) {
            assertEquals("256.0 MiB", memoryLimit(reader));
            assertEquals("256.0 MiB", memoryLimit(loader));
        }
    }

    @Test
    void theLoadersWarehouseAndTheReplicatorsDialectGiveDuckDbTheConfiguredLimit() throws Exception {
        SinkConfig.DuckDb sink = new SinkConfig.DuckDb(dir.resolve("configured.duckdb").toString(), SqlIdentifier.of("main"),
                SqlIdentifier.of("ORDERS"), List.of(), Optional.of("256MiB"));
        DuckDbWarehouse warehouse = (DuckDbWarehouse) Warehouses.forSink(sink, "p", Duration.ofSeconds(30));
        try (Connection c = warehouse.connect()) {
            assertEquals("256.0 MiB", memoryLimit(c));
        }
        try (Connection c = dev.orderpipeline.cdc.source.WarehouseDialect.of(sink, false, "sync").connect()) {
            assertEquals("256.0 MiB", memoryLimit(c));
        }
    }

    private static String memoryLimit(Connection c) throws SQLException {
        return text(c, "SELECT current_setting('memory_limit')");
    }

    /** As DuckDB itself writes a number of bytes. */
    private static String rendered(Connection c, long bytes) throws SQLException {
        return text(c, "SELECT format_bytes(" + bytes + ")");
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
