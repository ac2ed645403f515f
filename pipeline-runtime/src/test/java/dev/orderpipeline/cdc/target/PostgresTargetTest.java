package dev.orderpipeline.cdc.target;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcConfig.PostgresConfig;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.SourceShape;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.PostgresConnection;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import dev.orderpipeline.testing.LoaderEnv;
import dev.orderpipeline.testing.LockWaits;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page of changes leaves the table as the guarded upsert alone would, whichever way each row takes: upserts of
 * keys the table lacks go straight in by COPY, every other change (a key the table holds, a key twice in the page,
 * a delete) is staged and applied by version.
 */
class PostgresTargetTest {
    private static final List<CdcColumn> COLUMNS = List.of(new CdcColumn("region", CdcType.TEXT),
            new CdcColumn("orderid", CdcType.BIGINT), new CdcColumn("item", CdcType.TEXT),
            new CdcColumn("_kafka_partition", CdcType.BIGINT), new CdcColumn("_kafka_offset", CdcType.BIGINT));
    private static final SourceShape SHAPE = new SourceShape(List.of("region", "orderid"),
            List.of("_kafka_partition", "_kafka_offset"));

    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;

    @BeforeAll
    static void start() {
        pg = new EmbeddedPostgres(dir.resolve("pg")).start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void aPageEndsAsTheGuardedUpsertWouldLeaveItAndOnlyItsNewKeysGoStraightIn() throws Exception {
        try (PostgresTarget target = target("mixed")) {
            SyncState state = incremental(target);
            state = apply(target, state, upsert("eu", 1, "first", 0), upsert("eu", 2, "first", 1), upsert("us", 1, "first", 2),
                    upsert("eu", 3, "first", 3));

            ApplyResult result = target.apply(COLUMNS, List.of(
                    upsert("eu", 1, "newer", 10), // held: updated
                    upsert("us", 1, "older", 1), // held, an older version: left as it is
                    delete("eu", 3, 11), // held: deleted
                    upsert("eu", 4, "new", 12), // new: straight in
                    upsert("us", 4, "new", 13), // new (same number, other region): straight in
                    upsert("eu", 5, "first of two", 14), upsert("eu", 5, "second of two", 15), // new, twice: the newest
                    upsert("eu", 6, "then deleted", 16), delete("eu", 6, 17), // new, then deleted: absent
                    delete("eu", 7, 18)), // never there: nothing
                    state, state.next(SyncState.Phase.INCREMENTAL, state.watermark(), null));

            assertEquals(2, result.straightIn(), "only eu/4 and us/4 are single upserts of keys the table lacks");
            assertEquals(1, result.deleted());
            assertEquals(Map.of("eu/1", "newer@10", "eu/2", "first@1", "us/1", "first@2", "eu/4", "new@12", "us/4", "new@13",
                    "eu/5", "second of two@15"), rows("mixed"));
        }
    }

    @Test
    void aKeyAnotherWriterInsertsAfterTheLookupIsUpsertedByVersionNotRefused() throws Exception {
        try (PostgresTarget target = target("raced")) {
            SyncState state = incremental(target);
            state = apply(target, state, upsert("eu", 1, "first", 0));
            try (Connection other = pg.connect(); Statement s = other.createStatement()) {
                other.setAutoCommit(false);
                s.execute("INSERT INTO raced (region, orderid, item, _kafka_partition, _kafka_offset) VALUES ('eu', 2, 'other', 0, 5)");
                SyncState before = state;
                CompletableFuture<ApplyResult> apply = CompletableFuture.supplyAsync(() -> {
                    try {
                        return target.apply(COLUMNS, List.of(upsert("eu", 2, "replicated", 9), upsert("eu", 3, "replicated", 10)),
                                before, before.next(SyncState.Phase.INCREMENTAL, before.watermark(), null));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                LockWaits.awaitWaitingOnALock(pg, "orderpipeline-cdc:sync-raced", "the apply never waited on the other transaction's key");
                other.commit();
                assertEquals(0, apply.get(30, TimeUnit.SECONDS).straightIn(), "the COPY met the other writer's key: undone");
            }
        }
        assertEquals(Map.of("eu/1", "first@0", "eu/2", "replicated@9", "eu/3", "replicated@10"), rows("raced"));
    }

    private static PostgresTarget target(String table) {
        PostgresConnection connection = PostgresConnection.from(new Environment(LoaderEnv.postgresTarget(pg, table)), "the test");
        return new PostgresTarget(new PostgresConfig(connection, "public", table), "sync-" + table, "pipelineref", SHAPE, true);
    }

    /** A sync past its snapshot, on a table with its key. */
    private static SyncState incremental(PostgresTarget target) throws Exception {
        target.open();
        SyncState state = target.begin(new SyncState(SyncState.Phase.INCREMENTAL, JsonNodeFactory.instance.objectNode(), null, 0, 0, 0));
        target.ensureColumns(COLUMNS, false);
        return state;
    }

    private static SyncState apply(PostgresTarget target, SyncState state, Change... changes) throws Exception {
        SyncState next = state.next(SyncState.Phase.INCREMENTAL, state.watermark(), null);
        target.apply(COLUMNS, List.of(changes), state, next);
        return next;
    }

    private static Change upsert(String region, long orderId, String item, long offset) {
        return new Change(new Object[] {region, orderId, item, 0L, offset}, false);
    }

    private static Change delete(String region, long orderId, long offset) {
        return new Change(new Object[] {region, orderId, null, 0L, offset}, true);
    }

    /** Each row as region/orderid → item@offset. */
    private static Map<String, String> rows(String table) throws Exception {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT region, orderid, item, _kafka_offset FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getString(1) + "/" + rs.getLong(2), rs.getString(3) + "@" + rs.getLong(4));
            }
        }
        return rows;
    }
}
