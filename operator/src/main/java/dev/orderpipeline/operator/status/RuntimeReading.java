package dev.orderpipeline.operator.status;

/**
 * What the ready runtime pods of a resource reported on {@code /status}, summed over the pods.
 *
 * @param podsRead         pods whose {@code /status} was read
 * @param recordsLoaded    records loaded since the pods started
 * @param lastCommitTime   the newest commit of any pod (RFC 3339)
 * @param freshnessSeconds the age of the newest loaded record when it was committed, for the worst pod,
 *                         rounded up to whole seconds (the runtime's lastFreshnessMillis)
 * @param sinkStalledSince when the longest-running warehouse commit that holds a pod's partitions
 *                         paused started (RFC 3339), or null when no pod is waiting on its sink
 */
public record RuntimeReading(int podsRead, Long recordsLoaded, String lastCommitTime, Long freshnessSeconds,
                             String sinkStalledSince) {
    public static final RuntimeReading NONE = new RuntimeReading(0, null, null, null, null);
}
