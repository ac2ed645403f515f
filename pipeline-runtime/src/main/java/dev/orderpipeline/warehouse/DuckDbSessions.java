package dev.orderpipeline.warehouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens DuckDB databases the one way this product does, and removes the copy of its native library that the
 * driver leaves behind.
 *
 * <p>DuckDB's JDBC driver (1.5) copies its 58 MB library out of its jar into a new file in {@code java.io.tmpdir}
 * at every JVM start, and deletes it only when the JVM exits normally. A JVM that is killed (the OOM killer,
 * {@code -XX:+ExitOnOutOfMemoryError}, a SIGKILL after the grace period) leaves it: in a pod, whose {@code /tmp} is
 * an emptyDir of 1Gi that outlives container restarts, some seventeen such restarts fill it; on a developer's
 * machine the test suite's killed loaders left dozens a run. Once the library is loaded the file is no longer
 * needed (Linux keeps a mapped file's pages until it is unmapped), so it is removed as soon as the first
 * database is open.
 */
public final class DuckDbSessions {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbSessions.class);
    private static final Path MAPPINGS = Path.of("/proc/self/maps");
    private static final AtomicBoolean LIBRARY_COPY_REMOVED = new AtomicBoolean();

    private DuckDbSessions() {
    }

    /** The database at {@code path} (a file, or {@code ""} for one in memory). */
    public static Connection open(String path) throws SQLException {
        return open(path, new Properties());
    }

    /** With the driver's {@code properties} (for example {@code duckdb.read_only}); DuckDB gets what the JVM leaves it. */
    public static Connection open(String path, Properties properties) throws SQLException {
        return open(path, properties, Optional.empty());
    }

    /**
     * With DuckDB's {@code memory_limit} as {@code memoryLimit} says (OPL_DUCKDB_MEMORY_LIMIT, validated as a size), or
     * else {@link DuckDbMemoryLimit#forThisJvm()}, what the JVM leaves it. Set by a statement, not as a property of the
     * connection: the driver shares one database among the connections to a file in a JVM and refuses a second whose
     * properties differ, as those of a reader opened without them would.
     */
    public static Connection open(String path, Properties properties, Optional<String> memoryLimit) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path, properties);
        if (LIBRARY_COPY_REMOVED.compareAndSet(false, true)) {
            removeLibraryCopy();
        }
        try (Statement s = connection.createStatement()) {
            s.execute("SET memory_limit = '" + memoryLimit.orElseGet(() -> DefaultMemoryLimit.SETTING) + "'");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /**
     * Worked out and said in the log once, at the first open that needs it: the heap's maximum and the container's
     * memory do not change, and the replicator opens its DuckDB source again at every read cycle.
     */
    private static final class DefaultMemoryLimit {
        static final String SETTING;

        static {
            DuckDbMemoryLimit limit = DuckDbMemoryLimit.forThisJvm();
            if (limit.overcommits()) {
                LOG.warn(limit.explanation());
            } else {
                LOG.info(limit.explanation());
            }
            SETTING = limit.setting();
        }

        private DefaultMemoryLimit() {
        }
    }

    /**
     * Deletes the driver's copy of its library in the temporary directory, found among this process's mapped files.
     * Only that copy: a library installed elsewhere (on {@code java.library.path}) is never touched. Without
     * {@code /proc} (not Linux) the driver's own deletion at exit is all there is.
     */
    private static void removeLibraryCopy() {
        if (!Files.isReadable(MAPPINGS)) {
            return;
        }
        try {
            // The real path: the mappings name files by theirs, and a temporary directory may be a symbolic link.
            Path temporary = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
            for (Path copy : driverLibraryCopies(Files.readAllLines(MAPPINGS), temporary)) {
                if (Files.deleteIfExists(copy)) {
                    LOG.debug("removed {}, DuckDB's native library, once loaded (the driver leaves it when the JVM is killed)", copy);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove the DuckDB driver's copy of its native library from the temporary directory: {}", e.toString());
        }
    }

    /** The files named as the driver names its copies, directly in {@code temporary}, that a line of the mappings maps. */
    static List<Path> driverLibraryCopies(List<String> mappings, Path temporary) {
        return mappings.stream()
                .filter(line -> line.contains("/libduckdb_java") && !line.endsWith("(deleted)"))
                .map(line -> Path.of(line.substring(line.indexOf('/'))).normalize())
                .filter(file -> temporary.equals(file.getParent())
                        && file.getFileName().toString().matches("libduckdb_java[0-9]*\\.so"))
                .distinct()
                .toList();
    }
}
