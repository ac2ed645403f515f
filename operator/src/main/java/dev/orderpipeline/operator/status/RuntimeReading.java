package dev.orderpipeline.operator.status;

import java.util.List;
import java.util.Map;

/**
 * What the running runtime pods of a resource reported on {@code /status}, summed over the pods.
 *
 * @param podsRead         pods whose {@code /status} was read
 * @param recordsLoaded    records loaded since the pods started
 * @param recordsLoadedByPod the same, per pod uid (what a restart or scale-down takes away, see {@link LoadedRecordsTally})
 * @param lastError        a pod's last reported error (a failed commit, a bad configuration), or null
 * @param lastCommitTime   the newest commit of any pod (RFC 3339)
 * @param freshnessSeconds the age of the newest loaded record when it was committed, for the worst pod,
 *                         rounded up to whole seconds (the runtime's lastFreshnessMillis)
 * @param sinkStalledSince when the longest-running warehouse commit that holds a pod's partitions
 *                         paused started (RFC 3339), or null when no pod is waiting on its sink
 * @param failing          the pod that has been retrying failed writes the longest, or null when none is
 * @param deadLetterUnavailableSince since when a pod's dead-letter topic has not taken records (RFC 3339), or null
 * @param schemaRegistryUnavailable the pod that has waited longest on a Schema Registry that does not answer (since
 *                         when, and its last error), or null while every pod's registry answers
 * @param offsets          partitions whose stored offsets fell outside the topic's log
 * @param partitionsResumedFromStoredOffsets partitions that pods positioned from offsets stored with the warehouse
 *                         before committing anything themselves (a pipeline of this name ran before, or a restart)
 */
public record RuntimeReading(int podsRead, Long recordsLoaded, Map<String, Long> recordsLoadedByPod, String lastError,
                             String lastCommitTime, Long freshnessSeconds,
                             String sinkStalledSince, Failing failing, String deadLetterUnavailableSince,
                             Failing schemaRegistryUnavailable, OutOfRange offsets,
                             int partitionsResumedFromStoredOffsets) {
    public static final RuntimeReading NONE = new RuntimeReading(0, null, Map.of(), null, null, null, null, null, null,
            null, OutOfRange.NONE, 0);

    /**
     * A loader retrying since {@code since} (RFC 3339), failed warehouse writes or a Schema Registry that does not
     * answer; {@code error} is its last error.
     */
    public record Failing(String since, String error) {
    }

    /**
     * @param heldPartitions partitions a loader does not read because OPL_KAFKA_OFFSET_RESET is fail
     * @param resets         offsets found outside the log since the pods started (held or reset)
     * @param lastReset      the loader's description of the latest one (JSON), or null
     */
    public record OutOfRange(List<Integer> heldPartitions, long resets, String lastReset) {
        public static final OutOfRange NONE = new OutOfRange(List.of(), 0, null);
    }
}
