package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.Watermarks;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The next snapshot page, read from the warehouse while the current one is applied to PostgreSQL:
 * the two sides then work at the same time instead of in turn. Reading a page early changes
 * nothing a snapshot guarantees (each page is still applied and committed alone, in order, and a
 * row changed after it was read is applied again from the handover watermark). It is used only if
 * the replicator asks for exactly the page after the one it was given (a failed apply or a restart
 * asks for another); otherwise it is awaited, so that the session is free, and dropped.
 */
final class ReadAhead {
    private final JsonNode afterKey;
    private final int limit;
    private final Future<ChangePage> page;

    ReadAhead(JsonNode afterKey, int limit, Future<ChangePage> page) {
        this.afterKey = afterKey;
        this.limit = limit;
        this.page = page;
    }

    boolean startsAfter(JsonNode key, int pageLimit) {
        return pageLimit == limit && Watermarks.same(afterKey, key);
    }

    /** The page, or the error its read failed with. */
    ChangePage page() throws SQLException {
        try {
            return page.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while a snapshot page was read", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new SQLException(e.getCause());
        }
    }

    /** Waits until the read is over, whatever its outcome. */
    void settle() {
        boolean interrupted = false;
        while (!page.isDone()) {
            try {
                page.get();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
