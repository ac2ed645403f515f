package dev.orderpipeline.testing;

import dev.orderpipeline.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

/** Waits for a PostgreSQL session to block on a lock: the moment a race a test stages has begun. */
public final class LockWaits {
    private LockWaits() {
    }

    /** Until a session of {@code applicationName} waits on a lock (at most 30 s), or fails saying {@code what}. */
    public static void awaitWaitingOnALock(EmbeddedPostgres pg, String applicationName, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection c = pg.connect(); PreparedStatement waiting = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'")) {
            waiting.setString(1, applicationName);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = waiting.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError(what);
    }
}
