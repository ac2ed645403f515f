package dev.orderpipeline.operator.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Parses the duration syntax of {@link Patterns#DURATION} the same way the runtime does: a number and
 * ms, s, m or h; a bare number is milliseconds.
 */
public final class Durations {
    private static final java.util.regex.Pattern SYNTAX = java.util.regex.Pattern.compile(Patterns.DURATION);

    private Durations() {
    }

    public static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = SYNTAX.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String digits = text.trim().replaceAll("[a-z]+$", "");
        long amount = Long.parseLong(digits);
        String unit = m.group(1) == null ? "ms" : m.group(1);
        return Optional.of(switch (unit) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofMillis(amount);
        });
    }
}
