package dev.orderpipeline.load;

import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * The group's callbacks, which run inside {@code poll()}: none of them waits on a retry loop. A
 * revocation waits a bounded time for a commit to return, then hands over; an assignment only
 * pauses the new partitions and asks for their stored offsets.
 */
final class Rebalance implements ConsumerRebalanceListener {

    /** What the loader does when partitions come and go. */
    interface Handler {
        /** Bounded: commits what it can in a short time, then lets the partitions go. */
        void handOver(Collection<TopicPartition> revoked);

        /** Taken away without a handover (the session expired): their records are another loader's now. */
        void forget(Collection<TopicPartition> lost);

        /** Pauses them until their stored offsets arrive. */
        void position(Collection<TopicPartition> assigned);
    }

    private final Handler handler;

    Rebalance(Handler handler) {
        this.handler = handler;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (!revoked.isEmpty()) {
            handler.handOver(revoked);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        if (!lost.isEmpty()) {
            handler.forget(lost);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        if (!assigned.isEmpty()) { // the cooperative protocol calls this after every rebalance
            handler.position(assigned);
        }
    }
}
