package dev.orderpipeline.cdc.target;

/**
 * What one PostgreSQL transaction changed: rows inserted or updated, rows deleted, and how many of the upserted
 * rows were new keys COPYed straight into the table rather than staged and upserted.
 */
public record ApplyResult(long upserted, long deleted, long straightIn) {
}
