package dev.orderpipeline.load;

/**
 * What a loader is doing, as {@code /status} reports it. One state at a time; when several apply,
 * the one listed first wins (a stalled loader may also be positioning partitions).
 */
public enum LoaderState {
    /** Opening the warehouse (creating the tables, reading their columns); not in the group yet. */
    STARTING,
    /** Flushing and committing what is buffered, then leaving the group (SIGTERM, or a fatal error). */
    STOPPING,
    /**
     * Waiting on the warehouse with every partition paused: the next batch is due while the commit in
     * flight has not returned, or that commit failed and is being retried; or waiting on the Schema
     * Registry, which does not answer for a record that needs it (read again after a backoff). Still
     * polling, so the group keeps this member.
     */
    STALLED,
    /** Some assigned partitions wait (paused) for their stored offsets from the warehouse. */
    POSITIONING,
    /** A batch is being committed while the next one is read. */
    COMMITTING,
    /** Reading and buffering; nothing is being committed. */
    LOADING
}
