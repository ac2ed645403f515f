package dev.orderpipeline.metrics;

import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which registries a runtime process publishes to, and the tags every one of its meters carries,
 * parsed from the same {@link Environment} as the rest of its configuration (Datadog's standard
 * variable names where they exist, {@code OPL_METRICS_*} otherwise).
 *
 * @param dogStatsd where DogStatsD lines go, if anywhere
 * @param datadogApi the Datadog API push, if an API key is given
 * @param step push interval of the API registry and polling interval of DogStatsD gauges
 * @param tags tags for every meter: namespace, env, service, version and DD_TAGS (absent ones left out)
 */
public record MetricsConfig(Optional<DogStatsd> dogStatsd, Optional<DatadogApi> datadogApi, Duration step,
                            Map<String, String> tags) {

    private static final Pattern SITE = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*\\.[a-z]{2,}");
    private static final Pattern TAG_SEPARATORS = Pattern.compile("[\\s,]+");

    public record DogStatsd(String host, int port) {
    }

    /** The API key stays out of {@link #toString()}. */
    public record DatadogApi(String uri, String apiKey, Optional<String> applicationKey) {
        @Override
        public String toString() {
            return "DatadogApi[uri=" + uri + ", apiKey=<redacted>, applicationKey="
                    + (applicationKey.isPresent() ? "<redacted>" : "none") + "]";
        }
    }

    public MetricsConfig {
        tags = Map.copyOf(tags);
    }

    /** Prometheus only, no common tags: for in-process tools that must not publish anywhere. */
    public static MetricsConfig prometheusOnly() {
        return new MetricsConfig(Optional.empty(), Optional.empty(), Duration.ofSeconds(10), Map.of());
    }

    public static MetricsConfig from(Environment env) {
        Duration step = env.duration(Setting.METRICS_STEP);
        return new MetricsConfig(dogStatsd(env), datadogApi(env), step, tags(env));
    }

    private static Optional<DogStatsd> dogStatsd(Environment env) {
        Optional<String> agentHost = env.optional(Setting.DD_AGENT_HOST).filter(h -> !h.isEmpty());
        String switchValue = env.required(Setting.METRICS_DOGSTATSD_ENABLED).toLowerCase(Locale.ROOT);
        boolean enabled = switch (switchValue) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> agentHost.isPresent();
            default -> throw ConfigException.invalid(Setting.METRICS_DOGSTATSD_ENABLED, switchValue, "true, false or auto");
        };
        if (!enabled) {
            return Optional.empty();
        }
        String host = agentHost.orElse("localhost");
        if (!host.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[?[0-9A-Fa-f:]+]?")) {
            throw ConfigException.invalid(Setting.DD_AGENT_HOST, host, "a host name or IP address");
        }
        int port = env.port(Setting.DD_DOGSTATSD_PORT);
        if (port == 0) {
            throw ConfigException.invalid(Setting.DD_DOGSTATSD_PORT, "0", "a port from 1 to 65535");
        }
        return Optional.of(new DogStatsd(host, port));
    }

    private static Optional<DatadogApi> datadogApi(Environment env) {
        Optional<String> apiKey = env.optional(Setting.DD_API_KEY).filter(k -> !k.isEmpty());
        if (apiKey.isEmpty()) {
            return Optional.empty();
        }
        String site = env.required(Setting.DD_SITE).toLowerCase(Locale.ROOT);
        if (!SITE.matcher(site).matches()) {
            throw ConfigException.invalid(Setting.DD_SITE, site, "a Datadog site such as datadoghq.com or datadoghq.eu");
        }
        String uri = env.optional(Setting.METRICS_DATADOG_URI).filter(u -> !u.isEmpty()).orElse("https://api." + site);
        try {
            URI parsed = URI.create(uri);
            if (parsed.getHost() == null || !(parsed.getScheme().equals("https") || parsed.getScheme().equals("http"))) {
                throw new IllegalArgumentException("not an http(s) URI");
            }
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(Setting.METRICS_DATADOG_URI, uri, "an http(s) URI such as https://api.datadoghq.com");
        }
        while (uri.endsWith("/")) {
            uri = uri.substring(0, uri.length() - 1);
        }
        return Optional.of(new DatadogApi(uri, apiKey.get(), env.optional(Setting.DD_APP_KEY).filter(k -> !k.isEmpty())));
    }

    private static Map<String, String> tags(Environment env) {
        Map<String, String> tags = new LinkedHashMap<>();
        env.optional(Setting.DD_TAGS).ifPresent(list -> {
            for (String tag : TAG_SEPARATORS.split(list.trim())) {
                int colon = tag.indexOf(':');
                if (colon > 0 && colon < tag.length() - 1) {
                    tags.put(tag.substring(0, colon), tag.substring(colon + 1));
                }
            }
        });
        env.optional(Setting.NAMESPACE).filter(v -> !v.isEmpty()).ifPresent(v -> tags.put(MetricNames.TAG_NAMESPACE, v));
        env.optional(Setting.DD_ENV).filter(v -> !v.isEmpty()).ifPresent(v -> tags.put(MetricNames.TAG_ENV, v));
        env.optional(Setting.DD_SERVICE).filter(v -> !v.isEmpty()).ifPresent(v -> tags.put(MetricNames.TAG_SERVICE, v));
        env.optional(Setting.DD_VERSION).filter(v -> !v.isEmpty()).ifPresent(v -> tags.put(MetricNames.TAG_VERSION, v));
        return tags;
    }
}
