package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderpipeline.cdc.replication.CdcMetrics;
import dev.orderpipeline.cdc.replication.CdcStatus;
import dev.orderpipeline.cdc.replication.ChangeSources;
import dev.orderpipeline.cdc.replication.DriftAudit;
import dev.orderpipeline.cdc.replication.Replicator;
import dev.orderpipeline.cdc.source.ChangeSource;
import dev.orderpipeline.cdc.target.PostgresTarget;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift audit digests whole tables, which takes seconds that grow with the table; it runs on its own
 * thread and connections, so the changes committed meanwhile reach PostgreSQL without waiting for it.
 */
class DriftAuditTest {
    @TempDir
    Path dir;

    @Test
    void changesKeepReachingPostgresWhileAnAuditIsStillDigestingTheWarehouse() throws Exception {
        Path db = dir.resolve("audit.duckdb");
        OrderChanges changes = new OrderChanges(47);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 300);
            try (RunningSync sync = new RunningSync(db, pg, Duration.ofSeconds(60))) {
                HeldDigests held = sync.held;
                try {
                    CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
                    assertTrue(held.digesting.await(30, TimeUnit.SECONDS), "the audit started once the sync caught up");

                    changes.writeBatch(w, 200, List.of(), 0.3, 0.05);
                    CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(30));
                    assertEquals(1, held.release.getCount(), "the audit was still digesting while the changes were applied");
                    assertNull(sync.audit(), "no audit result yet: it is still held");

                    held.release.countDown();
                    CdcHarness.await("the released audit to report", Duration.ofSeconds(30), () -> sync.audit() != null);
                    // The warehouse moved while it was digested: the two digests would not be like with like.
                    assertEquals("inconclusive", sync.audit().get("result"), sync.audit().toString());
                } finally {
                    held.release.countDown();
                }
            }
        }
    }

    @Test
    void anAuditWaitsWhileTheWarehouseChangesMoreOftenThanADigestTakesAndRunsOnceItStandsStill() throws Exception {
        Path db = dir.resolve("audit.duckdb");
        OrderChanges changes = new OrderChanges(53);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            changes.writeBatch(w, 300);
            // Every digest takes 1.5 s: more than the 0.3 s between the loader's commits below.
            try (RunningSync sync = new RunningSync(db, pg, Duration.ofMillis(1500))) {
                CdcHarness.await("a first, conclusive audit", Duration.ofSeconds(60),
                        () -> sync.audit() != null && "in-sync".equals(sync.audit().get("result")));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                boolean deferred = false;
                while (!deferred && System.nanoTime() < deadline) {
                    changes.writeBatch(w, 20, List.of(), 0.3, 0.05);
                    Thread.sleep(300);
                    deferred = "deferred".equals(sync.audit().get("result"));
                }
                assertTrue(deferred, "the audit waited for the commits to pause: " + sync.audit());
                assertTrue(String.valueOf(sync.audit().get("note")).contains("stood still"), sync.audit().toString());

                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(30));
                CdcHarness.await("an in-sync audit once the warehouse stands still", Duration.ofSeconds(30),
                        () -> "in-sync".equals(sync.audit().get("result")));
            }
        }
    }

    /** A replicator on its own thread whose audit digests through {@link HeldDigests}; stopped on close. */
    private static final class RunningSync implements AutoCloseable {
        final HeldDigests held;
        private final CdcStatus status;
        private final ChangeSource source;
        private final PostgresTarget target;
        private final Replicator replicator;
        private final Thread loop;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        RunningSync(Path db, EmbeddedPostgres pg, Duration digestTakes) {
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            env.put(Setting.CDC_AUDIT_INTERVAL.envName(), "1s");
            CdcConfig config = CdcConfig.from(new Environment(env)).sharingDuckDb();
            status = new CdcStatus(config.name(), "pipelineref");
            source = ChangeSources.of(config);
            target = target(config, source);
            held = new HeldDigests(ChangeSources.of(config), digestTakes);
            replicator = new Replicator(config, source, target, new DriftAudit.Sides(held, target(config, source)), status,
                    new CdcMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), config.name(), "pipelineref",
                            "public.orders"));
            loop = new Thread(() -> {
                try {
                    replicator.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "replicator-under-test");
            loop.start();
        }

        Map<String, Object> audit() {
            return status.snapshot().audit();
        }

        @Override
        public void close() throws InterruptedException {
            replicator.stop();
            loop.join(Duration.ofSeconds(30).toMillis());
            source.close();
            target.close();
            assertNull(failure.get());
        }
    }

    private static PostgresTarget target(CdcConfig config, ChangeSource source) {
        return new PostgresTarget(config.postgres(), config.name(), "pipelineref", source.shape(), true);
    }

    /** A source whose digests of the warehouse take as long as the test says, as a large table's would. */
    private static final class HeldDigests implements ChangeSource {
        final CountDownLatch digesting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final ChangeSource source;
        private final Duration longest;

        /** Every digest waits until released, at most {@code longest}. */
        HeldDigests(ChangeSource source, Duration longest) {
            this.source = source;
            this.longest = longest;
        }

        private void hold() {
            digesting.countDown();
            try {
                release.await(longest.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public SourceShape shape() {
            return source.shape();
        }

        @Override
        public JsonNode currentWatermark() throws SQLException {
            return source.currentWatermark();
        }

        @Override
        public ChangePage snapshotPage(JsonNode afterKey, int limit) throws SQLException {
            return source.snapshotPage(afterKey, limit);
        }

        @Override
        public ChangePage changesSince(JsonNode watermark, int limit) throws SQLException {
            return source.changesSince(watermark, limit);
        }

        @Override
        public boolean caughtUp(JsonNode applied) throws SQLException {
            return source.caughtUp(applied);
        }

        @Override
        public AuditDigest audit() throws SQLException {
            hold();
            return source.audit();
        }

        @Override
        public Optional<RangeDigest> auditRanges() throws SQLException {
            hold();
            return source.auditRanges();
        }

        @Override
        public Optional<String> changeMarker() throws SQLException {
            return source.changeMarker();
        }

        @Override
        public void release() {
            source.release();
        }

        @Override
        public String summarize(JsonNode watermark) {
            return source.summarize(watermark);
        }

        @Override
        public void reset() {
            source.reset();
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
