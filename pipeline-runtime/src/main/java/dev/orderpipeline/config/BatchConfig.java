package dev.orderpipeline.config;

import java.time.Duration;

/** When a batch is flushed: whichever of the three limits is reached first. */
public record BatchConfig(int maxRecords, long maxBytes, Duration maxLatency) {
    static BatchConfig from(Environment env) {
        return new BatchConfig(
                env.positiveInt(Setting.BATCH_MAX_RECORDS),
                env.positiveLong(Setting.BATCH_MAX_BYTES, 1L << 31),
                env.duration(Setting.BATCH_MAX_LATENCY));
    }
}
