package dev.orderpipeline.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * fakesnow's server mode, from the project venv, on a loopback port: the Snowflake protocol for
 * the official JDBC driver. Its databases live in files under {@code dataDir} (see
 * {@code pipeline-testkit/src/main/python/fakesnow_server.py}), so a stop and a restart (a sink outage) keeps the data.
 */
public final class FakesnowServer implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final long idleSeconds;
    private final Path log;
    private Process process;

    /** Ends a session idle for 5 s: short, so that a killed client's open transaction ends soon (crash tests). */
    public FakesnowServer(Path dataDir) {
        this(dataDir, Duration.ofSeconds(5));
    }

    /**
     * {@code idleSessionTimeout}: how long a session may stay idle before the server ends it (Snowflake's
     * session policy). Clients that pause between statements longer than that (a replicator's sync interval)
     * need a longer one, as on Snowflake (default 4 hours).
     */
    public FakesnowServer(Path dataDir, Duration idleSessionTimeout) {
        this.dataDir = dataDir;
        this.idleSeconds = Math.max(1, idleSessionTimeout.toSeconds());
        this.port = FreePorts.next();
        this.log = dataDir.resolve("fakesnow.log");
    }

    public FakesnowServer start() {
        try {
            Files.createDirectories(dataDir);
            Path launcher = RepositoryPaths.root().resolve("pipeline-testkit/src/main/python/fakesnow_server.py");
            ProcessBuilder pb = new ProcessBuilder(List.of(RepositoryPaths.venvTool("python").toString(),
                    launcher.toString(), "127.0.0.1", Integer.toString(port), dataDir.toString(),
                    // A killed client's session (and its open transaction) ends after this many idle seconds.
                    Long.toString(idleSeconds)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = pb.start();
            awaitPort(Duration.ofSeconds(60));
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("fakesnow did not start: " + e.getMessage(), e);
        }
    }

    private void awaitPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("fakesnow exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IllegalStateException("fakesnow did not listen on port " + port + " within " + timeout + "; see " + log);
    }

    /** The JDBC URL for the official driver: plain HTTP on loopback, with the account the driver requires. */
    public String jdbcUrl() {
        return "jdbc:snowflake://127.0.0.1:" + port + "/?account=fakesnow&ssl=off";
    }

    /** A connection of the official driver as a checking user (fakesnow takes any login). */
    public Connection connect(String database, String schema) throws SQLException {
        Properties p = new Properties();
        p.put("user", "CHECKER");
        p.put("password", "unused");
        p.put("db", database);
        p.put("schema", schema);
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
