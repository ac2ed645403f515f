package dev.orderpipeline.cdc.target;

/** What one PostgreSQL transaction changed: rows inserted or updated, and rows deleted. */
public record ApplyResult(long upserted, long deleted) {
}
