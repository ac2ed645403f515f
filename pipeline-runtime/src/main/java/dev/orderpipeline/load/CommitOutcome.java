package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Batch;

/**
 * A batch committed: the transaction as it finally ran (without the rows the warehouse refused) and
 * how many records were dead-lettered because of that.
 */
record CommitOutcome(Batch committed, int refused) {
}
