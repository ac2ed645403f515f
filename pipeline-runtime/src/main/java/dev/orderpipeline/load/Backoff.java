package dev.orderpipeline.load;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Capped exponential backoff with jitter, so many loaders do not retry in step. */
final class Backoff {
    private final Duration max;
    private Duration next;

    Backoff(Duration initial, Duration max) {
        this.max = max;
        this.next = initial.compareTo(max) > 0 ? max : initial;
    }

    Duration next() {
        Duration current = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, current.toMillis() / 5));
        return current.plusMillis(jitter);
    }
}
