package dev.orderpipeline.cdc.target;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A sync's row in {@code orderpipeline_cdc_state}: its phase, the watermark of everything applied,
 * the snapshot's position, and a generation that every commit compares and increments, so a
 * second replicator of the same sync (a zombie) can never commit over the first.
 */
public record SyncState(Phase phase, JsonNode watermark, JsonNode snapshotAfterKey, long generation,
                        long rowsUpserted, long rowsDeleted) {

    public enum Phase { SNAPSHOT, INCREMENTAL }

    public SyncState next(Phase phase, JsonNode watermark, JsonNode snapshotAfterKey) {
        return new SyncState(phase, watermark, snapshotAfterKey, generation + 1, rowsUpserted, rowsDeleted);
    }
}
