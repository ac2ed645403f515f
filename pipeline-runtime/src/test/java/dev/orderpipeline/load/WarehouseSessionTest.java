package dev.orderpipeline.load;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.metrics.LoaderMetrics;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.DuckDbSql;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import dev.orderpipeline.warehouse.OffsetAdvance;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.Warehouse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warehouse's housekeeping (DuckDB's checkpoint) runs on the session's thread after a commit has been
 * reported: the batch that made the WAL pass its threshold is not held back by it, and the next batch waits for it.
 */
class WarehouseSessionTest {
    @TempDir
    Path dir;

    private static final List<Column> COLUMNS = List.of(new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT));

    @Test
    void aCommitIsReportedBeforeTheCheckpointItCalledForAndTheNextCommitRunsAfterIt() throws Exception {
        CountDownLatch tidying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Path wal = dir.resolve("w.duckdb.wal");
        try (DuckDbWarehouse real = new DuckDbWarehouse(dir.resolve("w.duckdb").toString(), SqlIdentifier.of("main"),
                SqlIdentifier.of("ORDERS"), new DuckDbSql.CheckpointThresholds(1, 1));
             HeldTidy duck = new HeldTidy(real, tidying, release)) {
            WarehouseSession session = openedSession(duck);
            try {
                Batch first = batch(-1, 2, 1, 2);
                CommitJob one = session.commit(first, first.rows());
                assertTrue(one.awaitDone(Duration.ofSeconds(30)));
                assertInstanceOf(CommitOutcome.Committed.class, one.outcome());
                assertTrue(tidying.await(30, TimeUnit.SECONDS), "the checkpoint was asked for after the commit");
                assertTrue(Files.size(wal) > 0, "the WAL holds the commit while the checkpoint waits");

                Batch second = batch(2, 4, 3, 4);
                CommitJob two = session.commit(second, second.rows());
                assertFalse(two.awaitDone(Duration.ofMillis(500)), "the next commit waits for the checkpoint");
                assertCommitsOnceReleased(two, release);
            } finally {
                release.countDown();
                session.close(Duration.ofSeconds(30));
            }
        }
    }

    private static void assertCommitsOnceReleased(CommitJob job, CountDownLatch checkpointRelease) {
        checkpointRelease.countDown();
        assertTrue(job.awaitDone(Duration.ofSeconds(30)), "the commit runs once the checkpoint is done");
        assertInstanceOf(CommitOutcome.Committed.class, job.outcome());
    }

    /** A session on {@code duck}, its tables created and partition 0's stored offset read. */
    private static WarehouseSession openedSession(Warehouse duck) throws Exception {
        WarehouseSession session = new WarehouseSession(duck,
                new PoisonIsolation(duck, Optional.empty(), LoaderConfig.ErrorTolerance.NONE, "orders", new LoaderStatus(),
                        new LoaderMetrics(new SimpleMeterRegistry(), "p", "orders", "duckdb")),
                Duration.ofSeconds(1), (what, error) -> { });
        session.open().get(30, TimeUnit.SECONDS);
        session.storedOffsets("p", "orders", List.of(0)).get(30, TimeUnit.SECONDS);
        return session;
    }

    /** The real warehouse, whose housekeeping waits until the test releases it. */
    private record HeldTidy(DuckDbWarehouse real, CountDownLatch tidying, CountDownLatch release) implements Warehouse {
        @Override
        public List<Column> open() throws SQLException {
            return real.open();
        }

        @Override
        public Map<Integer, Long> storedOffsets(String pipeline, String topic, Collection<Integer> partitions) throws SQLException {
            return real.storedOffsets(pipeline, topic, partitions);
        }

        @Override
        public void write(Batch batch) throws SQLException {
            real.write(batch);
        }

        @Override
        public void tidy() throws SQLException {
            tidying.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            real.tidy();
        }

        @Override
        public boolean tidyDue() {
            return real.tidyDue();
        }

        @Override
        public void reset() {
            real.reset();
        }

        @Override
        public void close() {
        }
    }

    private static Batch batch(long expected, long next, long... ids) {
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            rows.add(new Row(new Object[] {ids[i]}, false, "{}", 0, expected + 1 + i));
        }
        return new Batch("p", "orders", COLUMNS, List.of(), rows, Map.of(0, new OffsetAdvance(expected, next)), 0L);
    }
}
