package dev.orderpipeline.bench;

import java.time.Duration;

/** Records and bytes moved in an elapsed time. */
record Rate(long records, long bytes, Duration elapsed) {
    double recordsPerSecond() {
        return records / seconds();
    }

    double megabytesPerSecond() {
        return bytes / 1e6 / seconds();
    }

    /** The same rate, counting {@code bytes} of record values moved (the topic's, for every measure of the same rows). */
    Rate withBytes(long bytes) {
        return new Rate(records, bytes, elapsed);
    }

    private double seconds() {
        return Math.max(1e-9, elapsed.toNanos() / 1e9);
    }
}
