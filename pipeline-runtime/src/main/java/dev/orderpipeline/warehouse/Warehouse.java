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
     * Adds missing columns and widens the ones the batch needs wider, then writes the rows (converted
     * to the table's column types) and advances the offsets in one transaction.
     *
     * @throws FencedException when a partition's stored offset is not the expected one (nothing written)
     * @throws java.sql.SQLDataException when a value cannot be converted to its column's type in the
     *     table (SQLState class 22; the message names column, type, value and record; nothing written)
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

    /** How many columns and how long names this dialect allows (the converter keeps within them). */
    default dev.orderpipeline.schema.SchemaLimits limits() {
        return dev.orderpipeline.schema.SchemaLimits.DEFAULT;
    }

    /**
     * Keeps {@code shape} taught the table's columns and types whenever they are read back (after an
     * ALTER, or when a batch's type disagrees), so that later records convert to the table's truth.
     */
    default void syncShape(TableShape shape) {
    }

    /**
     * Housekeeping between batches, run on the loader's warehouse thread after a commit was reported, so that
     * its cost does not count against the batch that happened to trigger it (DuckDB checkpoints its WAL here),
     * and only when {@link #tidyDue}. A failure is only logged: nothing committed depends on it.
     */
    default void tidy() throws SQLException {
    }

    /** Whether {@link #tidy} has work to do now (DuckDB: its WAL has passed the threshold); no call to the warehouse. */
    default boolean tidyDue() {
        return false;
    }

    /** Drops the connection so that the next call reconnects (after an outage). */
    void reset();

    @Override
    void close();
}
