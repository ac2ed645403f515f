package dev.orderpipeline.warehouse;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A warehouse the loader writes to, one implementation per dialect. Exactly-once rests on
 * {@link #write}: the rows and the partitions' offsets commit in one transaction, and the offsets
 * move only from the value the loader expects.
 */
public interface Warehouse extends AutoCloseable {

    /** Creates the offsets table and the target table if absent; returns the target's data columns. */
    List<Column> open() throws SQLException;

    /**
     * The next offset stored for each partition, or -1 where the pipeline never committed it (a row
     * is created then, so a later compare-and-set has something to compare).
     */
    Map<Integer, Long> storedOffsets(String pipeline, String topic, Collection<Integer> partitions) throws SQLException;

    /**
     * Adds missing columns, then writes the rows and advances the offsets in one transaction.
     *
     * @throws FencedException when a partition's stored offset is not the expected one (nothing written)
     * @throws SQLException on a warehouse error (nothing written; the caller retries)
     */
    void write(Batch batch) throws SQLException;

    /**
     * Runs what {@link #write} runs for these rows (staging, MERGE or INSERT, even with no rows), in a
     * transaction that always rolls back, and leaves the offsets alone: throws what {@code write} would
     * throw for them. The loader uses it to find the rows a warehouse refuses.
     */
    default void trial(Batch batch) throws SQLException {
        throw new SQLFeatureNotSupportedException("this warehouse cannot run a trial write", "0A000");
    }

    /** Drops the connection so that the next call reconnects (after an outage). */
    void reset();

    @Override
    void close();
}
