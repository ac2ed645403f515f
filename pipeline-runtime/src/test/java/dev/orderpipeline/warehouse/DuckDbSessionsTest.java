package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class DuckDbSessionsTest {

    @Test
    void onceADatabaseIsOpenTheDriversCopyOfItsLibraryIsGoneFromTheTemporaryDirectoryAndDuckDbStillRuns() throws Exception {
        try (Connection first = DuckDbSessions.open("")) {
            List<String> mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.contains("/libduckdb_java")).toList();
            assertFalse(mapped.isEmpty(), "DuckDB's library is loaded from a file");
            Path temporary = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
            assertEquals(List.of(), DuckDbSessions.driverLibraryCopies(mapped, temporary), "mapped: " + mapped);
            assertTrue(mapped.stream().allMatch(line -> line.endsWith("(deleted)")), "mapped: " + mapped);
        }
        try (Connection second = DuckDbSessions.open(""); Statement s = second.createStatement();
             ResultSet rs = s.executeQuery("SELECT 40 + 2")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1));
        }
    }

    @Test
    void onlyTheDriversCopiesInTheTemporaryDirectoryAreRemovedNeverALibraryInstalledElsewhere() {
        Path temporary = Path.of("/tmp");
        List<String> mappings = List.of(
                "7f1c2a000000-7f1c2a400000 r--p 00000000 fe:01 123 /tmp/libduckdb_java9865694331714786059.so",
                "7f1c2a400000-7f1c2b000000 r-xp 00400000 fe:01 123 /tmp/libduckdb_java9865694331714786059.so",
                "7f1c2c000000-7f1c2c400000 r--p 00000000 fe:01 124 /tmp/libduckdb_java111.so (deleted)",
                "7f1c2d000000-7f1c2d400000 r--p 00000000 fe:01 125 /usr/lib/jni/libduckdb_java.so",
                "7f1c2e000000-7f1c2e400000 r--p 00000000 fe:01 126 /tmp/other/libduckdb_java222.so",
                "7f1c2f000000-7f1c2f400000 r--p 00000000 fe:01 127 /tmp/libzstd-jni-1.5.6-10.so");
        assertEquals(List.of(Path.of("/tmp/libduckdb_java9865694331714786059.so")),
                DuckDbSessions.driverLibraryCopies(mappings, temporary));
    }
}
