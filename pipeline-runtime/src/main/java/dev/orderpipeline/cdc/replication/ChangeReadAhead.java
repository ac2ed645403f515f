package dev.orderpipeline.cdc.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.Watermarks;
import dev.orderpipeline.cdc.source.ChangeSource;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The next change page read while the current one is applied to PostgreSQL, so that under a backlog
 * a cycle costs the longer of the warehouse read and the PostgreSQL transaction instead of their sum.
 * It is read from the watermark the current page will commit; it is used only when the state row
 * really moved there (the apply committed), and discarded otherwise, so the committed watermark stays
 * the only truth and exactly-once holds. While a read is in flight nothing else touches the source.
 */
final class ChangeReadAhead implements AutoCloseable {
    private final ChangeSource source;
    private final CdcCost cost;
    private ExecutorService executor;
    private Future<ChangePage> pending;
    private JsonNode from;

    ChangeReadAhead(ChangeSource source, CdcCost cost) {
        this.source = source;
        this.cost = cost;
    }

    /** Starts reading the changes after {@code watermark}, at most {@code limit}. */
    void start(JsonNode watermark, int limit) {
        discard();
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "cdc-change-read-ahead");
                t.setDaemon(true);
                return t;
            });
        }
        from = watermark;
        pending = executor.submit(() -> {
            long started = System.currentTimeMillis();
            ChangePage page = source.changesSince(watermark, limit);
            cost.read(started, System.currentTimeMillis());
            return page;
        });
    }

    /**
     * The page read ahead from {@code watermark}, or null when none was (or it was read from another
     * watermark, and is dropped). A failed read is thrown here, as the direct read would have thrown it.
     */
    ChangePage take(JsonNode watermark) throws Exception {
        if (pending == null) {
            return null;
        }
        Future<ChangePage> f = pending;
        JsonNode f0 = from;
        pending = null;
        from = null;
        if (!Watermarks.same(f0, watermark)) {
            settle(f);
            return null;
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Waits for a read in flight and forgets it, so that the source may be used (or reset) again. */
    void discard() {
        if (pending != null) {
            settle(pending);
            pending = null;
            from = null;
        }
    }

    private static void settle(Future<ChangePage> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // a read that is not used: its error does not matter
        }
    }

    @Override
    public void close() {
        discard();
        if (executor != null) {
            executor.shutdown();
        }
    }
}
