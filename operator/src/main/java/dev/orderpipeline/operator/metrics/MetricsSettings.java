package dev.orderpipeline.operator.metrics;

import dev.orderpipeline.operator.api.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the operator's meters go besides its own {@code /metrics}, read from its environment under the
 * names pipeline-runtime reads (its {@code config.Setting}; a test keeps the two in step), so one set of
 * Datadog variables configures both.
 *
 * @param dogStatsd where DogStatsD lines go (Datadog flavour, UDP), if anywhere
 * @param step      polling interval of DogStatsD gauges
 * @param tags      tags on every meter: env, service, version and DD_TAGS (absent ones left out)
 */
public record MetricsSettings(Optional<DogStatsd> dogStatsd, Duration step, Map<String, String> tags) {
    public static final String DOGSTATSD_ENABLED_ENV = "OPL_METRICS_DOGSTATSD_ENABLED";
    public static final String AGENT_HOST_ENV = "DD_AGENT_HOST";
    public static final String DOGSTATSD_PORT_ENV = "DD_DOGSTATSD_PORT";
    public static final String STEP_ENV = "OPL_METRICS_STEP";
    public static final String ENV_ENV = "DD_ENV";
    public static final String SERVICE_ENV = "DD_SERVICE";
    public static final String VERSION_ENV = "DD_VERSION";
    public static final String TAGS_ENV = "DD_TAGS";

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[?[0-9A-Fa-f:]+]?");
    private static final Pattern TAG_SEPARATORS = Pattern.compile("[\\s,]+");

    /** The node's Datadog agent. */
    public record DogStatsd(String host, int port) {
    }

    public MetricsSettings {
        tags = Map.copyOf(tags);
    }

    /** Only {@code /metrics}: tests, and a process with no Datadog agent to talk to. */
    public static MetricsSettings prometheusOnly() {
        return new MetricsSettings(Optional.empty(), Duration.ofSeconds(10), Map.of());
    }

    public static MetricsSettings fromEnvironment(Map<String, String> env) {
        return new MetricsSettings(dogStatsd(env), step(env), tags(env));
    }

    private static Optional<DogStatsd> dogStatsd(Map<String, String> env) {
        Optional<String> agentHost = value(env, AGENT_HOST_ENV);
        String switchValue = value(env, DOGSTATSD_ENABLED_ENV).orElse("auto").toLowerCase(Locale.ROOT);
        boolean enabled = switch (switchValue) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> agentHost.isPresent();
            default -> throw new IllegalArgumentException(DOGSTATSD_ENABLED_ENV + " is '" + switchValue
                    + "': give true, false or auto (auto sends DogStatsD when " + AGENT_HOST_ENV + " is set)");
        };
        if (!enabled) {
            return Optional.empty();
        }
        String host = agentHost.orElse("localhost");
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException(AGENT_HOST_ENV + " is '" + host
                    + "': give a host name or IP address (the chart sets it from the node's status.hostIP)");
        }
        String portText = value(env, DOGSTATSD_PORT_ENV).orElse("8125");
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(DOGSTATSD_PORT_ENV + " is '" + portText
                    + "': give the agent's DogStatsD UDP port, from 1 to 65535 (usually 8125)");
        }
        return Optional.of(new DogStatsd(host, port));
    }

    private static Duration step(Map<String, String> env) {
        String text = value(env, STEP_ENV).orElse("10s");
        Duration step = Durations.parse(text).orElseThrow(() -> new IllegalArgumentException(
                STEP_ENV + " is '" + text + "': give a duration such as 10s or 1m"));
        if (step.isZero() || step.isNegative()) {
            throw new IllegalArgumentException(STEP_ENV + " is '" + text + "': give a positive duration such as 10s");
        }
        return step;
    }

    private static Map<String, String> tags(Map<String, String> env) {
        Map<String, String> tags = new LinkedHashMap<>();
        value(env, TAGS_ENV).ifPresent(list -> {
            for (String tag : TAG_SEPARATORS.split(list)) {
                int colon = tag.indexOf(':');
                if (colon > 0 && colon < tag.length() - 1) {
                    tags.put(tag.substring(0, colon), tag.substring(colon + 1));
                }
            }
        });
        value(env, ENV_ENV).ifPresent(v -> tags.put("env", v));
        value(env, SERVICE_ENV).ifPresent(v -> tags.put("service", v));
        value(env, VERSION_ENV).ifPresent(v -> tags.put("version", v));
        // The operator's own per-pipeline tags are set per meter; a process-wide value would mislabel them.
        tags.keySet().removeAll(java.util.Set.of(OperatorMetrics.TAG_PIPELINE, OperatorMetrics.TAG_NAMESPACE,
                OperatorMetrics.TAG_RESULT));
        return tags;
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
