package dev.orderpipeline.load;

import dev.orderpipeline.warehouse.FencedException;
import java.time.Instant;

/** How one batch's trip to the warehouse ended, as the poll thread settles it. */
sealed interface CommitOutcome {

    /** The rows and offsets are in the warehouse; {@code at} is when the commit returned. */
    record Committed(Instant at) implements CommitOutcome {
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
