package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Batch;

/**
 * A batch written by {@link PoisonIsolation}: the transaction as it finally ran (without the rows
 * the warehouse refused) and how many records were dead-lettered because of that.
 */
record IsolatedWrite(Batch committed, int refused) {
}
