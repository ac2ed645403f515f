package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orderpipeline.cdc.source.ChangeSource;
import dev.orderpipeline.cdc.source.PipelineRefSource;
import dev.orderpipeline.cdc.source.WarehouseDialect;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.verify.OrderState;
import dev.orderpipeline.warehouse.DuckDbWarehouse;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot's pages (key ranges between fences, the next page read ahead) and its direct COPY
 * into an empty target: what they must never change is which rows the snapshot copies and the
 * version guard.
 */
class SnapshotPagingTest {
    @TempDir
    Path dir;

    @Test
    void pagesCoverEveryLiveRowOnceInKeyOrderWhileTheSourceChangesAndAfterAReset() throws Exception {
        Path db = dir.resolve("paging.duckdb");
        OrderChanges changes = new OrderChanges(7);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 8; i++) {
                changes.writeBatch(w, 400);
            }
            Set<Long> liveAtStart = new HashSet<>(changes.live().keySet());
            SinkConfig.DuckDb sink = new SinkConfig.DuckDb(db.toString(), SqlIdentifier.of("main"), SqlIdentifier.of("ORDERS"), List.of());
            List<Long> read = new ArrayList<>();
            JsonNode after = null;
            int pages = 0;
            ChangeSource source = source(sink);
            try {
                while (true) {
                    ChangePage page = source.snapshotPage(after, 97);
                    assertTrue(page.changes().size() <= 97, "a page holds at most the limit");
                    int key = indexOf(page.columns(), "orderid");
                    for (Change c : page.changes()) {
                        read.add((Long) c.values()[key]);
                    }
                    pages++;
                    if (!page.more()) {
                        break;
                    }
                    after = JsonNodeFactory.instance.arrayNode().add(read.get(read.size() - 1));
                    if (pages % 5 == 0) {
                        changes.writeBatch(w, 60); // inserts, updates and deletes between two pages
                    }
                    if (pages == 12) {
                        source.reset(); // a retry: the page read ahead is dropped, the fences are taken again
                    }
                    if (pages == 20) {
                        source.close(); // a restart resumes from the committed key only
                        source = source(sink);
                    }
                }
            } finally {
                source.close();
            }
            assertTrue(pages >= liveAtStart.size() / 97, "the snapshot went page by page: " + pages);
            for (int i = 1; i < read.size(); i++) {
                assertTrue(read.get(i - 1) < read.get(i), "keys ascend, none twice: " + read.get(i - 1) + ", " + read.get(i));
            }
            Set<Long> stillLive = new HashSet<>(liveAtStart);
            stillLive.retainAll(changes.live().keySet());
            assertTrue(new HashSet<>(read).containsAll(stillLive), "every row live throughout the snapshot is read");
        }
    }

    @Test
    void aTargetThatAlreadyHoldsRowsKeepsTheVersionGuard() throws Exception {
        Path db = dir.resolve("prefilled.duckdb");
        OrderChanges changes = new OrderChanges(11);
        try (DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 4; i++) {
                changes.writeBatch(w, 500);
            }
        }
        Map<Long, OrderState> live = changes.live();
        List<Long> keys = live.keySet().stream().sorted().toList();
        long newer = keys.get(keys.size() / 2);
        long older = keys.get(keys.size() / 3);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            CdcHarness.pageSize(env, 300);
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, live, Duration.ofSeconds(60));
            }
            // A second sync into the same table: one row there is newer than the source, one older.
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM \"public\".\"orderpipeline_cdc_state\"");
                s.execute("UPDATE " + CdcHarness.PG_TABLE + " SET \"itemid\" = 'newer', \"_opl_offset\" = 1000000000 "
                        + "WHERE \"orderid\" = " + newer);
                s.execute("UPDATE " + CdcHarness.PG_TABLE + " SET \"itemid\" = 'older', \"_opl_offset\" = -1 "
                        + "WHERE \"orderid\" = " + older);
            }
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.await("incremental phase", Duration.ofSeconds(60), () -> "Incremental".equals(cdc.status().phase()));
                assertEquals("newer", CdcHarness.pgValue(pg, "SELECT \"itemid\" FROM " + CdcHarness.PG_TABLE
                        + " WHERE \"orderid\" = " + newer), "an older version never overwrites a newer one");
                assertEquals(live.get(older).itemid(), CdcHarness.pgValue(pg, "SELECT \"itemid\" FROM " + CdcHarness.PG_TABLE
                        + " WHERE \"orderid\" = " + older), "a newer version replaces an older one");
                assertEquals(Integer.toString(live.size()), CdcHarness.pgValue(pg, "SELECT count(*) FROM " + CdcHarness.PG_TABLE));
            }
        }
    }

    @Test
    void theSnapshotCopiesInPagesOfItsOwnSizeAndChangesFollowInTheirs() throws Exception {
        Path db = dir.resolve("page-sizes.duckdb");
        OrderChanges changes = new OrderChanges(13);
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start();
             DuckDbWarehouse w = CdcHarness.duckWarehouse(db)) {
            for (int i = 0; i < 4; i++) {
                changes.writeBatch(w, 500);
            }
            int live = changes.live().size();
            Map<String, String> env = CdcHarness.duckDbEnv(db, pg);
            env.put(Setting.CDC_SNAPSHOT_BATCH_SIZE.envName(), "1000");
            env.put(Setting.CDC_BATCH_SIZE.envName(), "100");
            try (CdcHarness.InProcess cdc = new CdcHarness.InProcess(env)) {
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
                CdcHarness.await("incremental phase", Duration.ofSeconds(60), () -> "Incremental".equals(cdc.status().phase()));
                long snapshotTransactions = cdc.status().batchesApplied();
                // Pages of 100 would have taken at least live / 100 transactions.
                assertTrue(snapshotTransactions <= live / 1000 + 2,
                        live + " rows copied in " + snapshotTransactions + " transactions: pages of the snapshot's own size");

                changes.writeBatch(w, 500, List.of(), 0, 0); // 500 new rows: one warehouse commit
                CdcHarness.awaitPostgresEquals(pg, changes.live(), Duration.ofSeconds(60));
                long changeTransactions = cdc.status().batchesApplied() - snapshotTransactions;
                assertTrue(changeTransactions >= 5, "500 changed rows applied in " + changeTransactions
                        + " transactions: pages of at most OPL_CDC_BATCH_SIZE rows");
            }
        }
    }

    private static ChangeSource source(SinkConfig.DuckDb sink) {
        return new PipelineRefSource(WarehouseDialect.of(sink, false, "paging"), SqlIdentifier.of("ORDERS"),
                List.of(SqlIdentifier.of("ORDERID")));
    }

    private static int indexOf(List<CdcColumn> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name + " missing");
    }
}
