package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderpipeline.cdc.AuditDigest;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.SourceShape;
import java.sql.SQLException;

/**
 * Where changes come from. A source never writes what the replicator has applied: the watermark
 * lives in PostgreSQL, committed with the rows, and is handed back on every read.
 */
public interface ChangeSource extends AutoCloseable {

    SourceShape shape();

    /** The watermark that covers everything committed in the source now (the snapshot's handover point). */
    JsonNode currentWatermark() throws SQLException;

    /**
     * Live rows in key order after {@code afterKey} (a JSON array of key values, or null for the
     * first page), at most {@code limit}. Versions come with the rows, so a row changed meanwhile is
     * either read at its newer version or re-applied later from the handover watermark.
     */
    ChangePage snapshotPage(JsonNode afterKey, int limit) throws SQLException;

    /** Changes after {@code watermark}, at most about {@code limit}, and the watermark that covers them. */
    ChangePage changesSince(JsonNode watermark, int limit) throws SQLException;

    /**
     * Whether {@link #changesSince} may run on another thread while the replicator applies the page
     * before it, with no other call on this source in between (the read-ahead under a backlog).
     */
    default boolean readsAhead() {
        return false;
    }

    /** Whether everything committed in the source is covered by {@code applied} (so an audit compares like with like). */
    default boolean caughtUp(JsonNode applied) throws SQLException {
        return dev.orderpipeline.cdc.Watermarks.same(currentWatermark(), applied);
    }

    /** Count and checksum of key + version over the live source rows (see {@link AuditDigest}). */
    AuditDigest audit() throws SQLException;

    /**
     * The audit computed by the warehouse per key-hash range (see {@link dev.orderpipeline.cdc.RangeDigest}),
     * or empty when this source cannot (its version is not a partition and an offset, or a key type prints
     * differently per database): the replicator then uses {@link #audit()}.
     */
    default java.util.Optional<dev.orderpipeline.cdc.RangeDigest> auditRanges() throws SQLException {
        return java.util.Optional.empty();
    }

    /**
     * A cheap sign of change, read before a change query: when it equals the sign read before a query
     * that found nothing, nothing was committed since. Empty when this source has none.
     */
    default java.util.Optional<String> changeMarker() throws SQLException {
        return java.util.Optional.empty();
    }

    /** Whether this source's queries run on a warehouse billed while it runs. */
    default boolean billedWarehouse() {
        return false;
    }

    /** Called after a page and its watermark committed in PostgreSQL (stream mode drops staging tables). */
    default void committed(JsonNode watermark) throws SQLException {
    }

    /** Ends a read cycle: a DuckDB file opened read-only is released, so a writer can take it between cycles. */
    default void release() {
    }

    /** A short human-readable summary of a watermark, for /status. */
    String summarize(JsonNode watermark);

    /** Drops the connection so that the next call reconnects (after an outage). */
    void reset();

    @Override
    void close();
}
