package dev.orderpipeline.bench;

import dev.orderpipeline.config.Setting;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * A real PostgreSQL (17, io.zonky embedded binaries) on loopback with its default durability
 * settings (fsync and synchronous_commit on) and the shared_buffers {@code bench} is given: the sink of the
 * loader's postgres dialect, the replicator's target and ceiling B for PostgreSQL.
 */
final class BenchPostgres implements AutoCloseable {
    /** PostgreSQL's own default, sized for a small machine rather than for a table of millions of rows. */
    static final String DEFAULT_SHARED_BUFFERS = "128MB";

    private final EmbeddedPostgres server;

    private BenchPostgres(EmbeddedPostgres server) {
        this.server = server;
    }

    static BenchPostgres start(Path dataDir, String sharedBuffers) {
        try {
            return new BenchPostgres(EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "50")
                    .setServerConfig("shared_buffers", sharedBuffers)
                    .start());
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres", "postgres", "postgres");
    }

    /** The OPL_POSTGRES_* connection settings of this server (the loader's sink, the replicator's target). */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(Setting.POSTGRES_HOST.envName(), "127.0.0.1");
        env.put(Setting.POSTGRES_PORT.envName(), Integer.toString(server.getPort()));
        env.put(Setting.POSTGRES_DATABASE.envName(), "postgres");
        env.put(Setting.POSTGRES_USER.envName(), "postgres");
        env.put(Setting.POSTGRES_PASSWORD.envName(), "postgres");
        env.put(Setting.POSTGRES_SSLMODE.envName(), "disable");
        return env;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
