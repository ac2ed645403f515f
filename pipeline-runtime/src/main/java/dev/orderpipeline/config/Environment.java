package dev.orderpipeline.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link Setting}s from a map of environment variables. A value may come from the variable
 * itself or, for mounted Secrets, from the file named by {@code <NAME>_FILE}.
 */
public final class Environment {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private final Map<String, String> variables;

    public Environment(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    public static Environment system() {
        return new Environment(System.getenv());
    }

    public Optional<String> optional(Setting setting) {
        String direct = variables.get(setting.envName());
        if (direct != null && !direct.isBlank()) {
            return Optional.of(direct.trim());
        }
        String file = variables.get(setting.fileEnvName());
        if (file != null && !file.isBlank()) {
            try {
                return Optional.of(Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new ConfigException(setting.fileEnvName() + " names a file that cannot be read ("
                        + e.getClass().getSimpleName() + "): mount the Secret key there or fix the path.");
            }
        }
        return Optional.ofNullable(setting.defaultValue());
    }

    public String required(Setting setting) {
        return optional(setting).filter(v -> !v.isEmpty()).orElseThrow(() -> ConfigException.missing(setting, ""));
    }

    public String required(Setting setting, String why) {
        return optional(setting).filter(v -> !v.isEmpty()).orElseThrow(() -> ConfigException.missing(setting, why));
    }

    public int positiveInt(Setting setting) {
        return (int) positiveLong(setting, Integer.MAX_VALUE);
    }

    public long positiveLong(Setting setting, long max) {
        String value = required(setting);
        try {
            long parsed = Long.parseLong(value);
            if (parsed > 0 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ConfigException.invalid(setting, value, "a whole number from 1 to " + max);
    }

    /** A TCP port; 0 asks the system for a free one (tests, the demo). */
    public int port(Setting setting) {
        String value = required(setting);
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ConfigException.invalid(setting, value, "a port from 0 to 65535");
    }

    /** An IP address literal to bind a server to (never a host name: no DNS look-up decides where we listen). */
    public String ipAddress(Setting setting) {
        String value = required(setting);
        boolean ipv4 = value.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && Arrays.stream(value.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        boolean ipv6 = value.contains(":") && value.matches("[0-9A-Fa-f:.]+");
        if (ipv4 || ipv6) {
            return value;
        }
        throw ConfigException.invalid(setting, value, "an IP address such as 0.0.0.0 (every interface) or 127.0.0.1");
    }

    public Duration duration(Setting setting) {
        String value = required(setting);
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw ConfigException.invalid(setting, value, "a duration such as 500ms, 1s, 2m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (d.isZero()) {
            throw ConfigException.invalid(setting, value, "a duration greater than zero");
        }
        return d;
    }

    public <E extends Enum<E>> E choice(Setting setting, Class<E> type) {
        String value = required(setting);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw ConfigException.invalid(setting, value, "one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase()).toList());
    }

    public List<String> list(Setting setting) {
        return optional(setting).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
