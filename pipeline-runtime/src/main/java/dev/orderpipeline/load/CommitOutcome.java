package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.FencedException;
import java.time.Instant;

/** How one batch's trip to the warehouse ended, as the poll thread settles it. */
sealed interface CommitOutcome {

    /**
     * The rows and offsets are in the warehouse; {@code at} is when the commit returned. {@code batch} is
     * the transaction as it ran, without the {@code refused} rows the warehouse would not take (dead-lettered).
     */
    record Committed(Instant at, Batch batch, int refused) implements CommitOutcome {
    }

    /** The warehouse refuses a record and there is nowhere to put it (errorTolerance none): the loader stops. */
    record Refused(PoisonRecordException cause) implements CommitOutcome {
    }

    /** Another loader moved a partition's stored offset: nothing was written. */
    record Fenced(FencedException cause) implements CommitOutcome {
    }

    /** The warehouse failed (nothing was written); a retry may succeed. */
    record Failed(Exception cause) implements CommitOutcome {
    }

    /** Given up before it committed (a stop, a handover): nothing was written. */
    record Cancelled() implements CommitOutcome {
    }
}
