package dev.orderpipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Environment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsConfigTest {
    @TempDir
    Path dir;

    private static MetricsConfig parse(Map<String, String> env) {
        return MetricsConfig.from(new Environment(env));
    }

    @Test
    void nothingSetMeansPrometheusOnlyWithoutTags() {
        MetricsConfig config = parse(Map.of());
        assertTrue(config.dogStatsd().isEmpty());
        assertTrue(config.datadogApi().isEmpty());
        assertEquals(Duration.ofSeconds(10), config.step());
        assertEquals(Map.of(), config.tags());
    }

    @Test
    void dogStatsdIsOnWhenTheAgentHostIsSetUnlessSwitchedOff() {
        assertEquals(new MetricsConfig.DogStatsd("10.0.0.7", 8125), parse(Map.of("DD_AGENT_HOST", "10.0.0.7")).dogStatsd().orElseThrow());
        assertTrue(parse(Map.of("DD_AGENT_HOST", "10.0.0.7", "OPL_METRICS_DOGSTATSD_ENABLED", "false")).dogStatsd().isEmpty());
        assertEquals(new MetricsConfig.DogStatsd("localhost", 18125),
                parse(Map.of("OPL_METRICS_DOGSTATSD_ENABLED", "true", "DD_DOGSTATSD_PORT", "18125")).dogStatsd().orElseThrow());
        ConfigException bad = assertThrows(ConfigException.class, () -> parse(Map.of("OPL_METRICS_DOGSTATSD_ENABLED", "yes")));
        assertTrue(bad.getMessage().contains("OPL_METRICS_DOGSTATSD_ENABLED"), bad.getMessage());
    }

    @Test
    void theApiKeyComesFromASecretFileAndTheSiteGivesTheUriAndTheKeyIsNeverPrinted() throws Exception {
        Path key = Files.writeString(dir.resolve("api-key"), "abcdef0123456789\n");
        MetricsConfig config = parse(Map.of("DD_API_KEY_FILE", key.toString(), "DD_SITE", "datadoghq.eu"));
        MetricsConfig.DatadogApi api = config.datadogApi().orElseThrow();
        assertEquals("abcdef0123456789", api.apiKey());
        assertEquals("https://api.datadoghq.eu", api.uri());
        assertFalse(config.toString().contains("abcdef0123456789"), config.toString());
        assertEquals("http://127.0.0.1:9", parse(Map.of("DD_API_KEY", "k", "OPL_METRICS_DATADOG_URI", "http://127.0.0.1:9/"))
                .datadogApi().orElseThrow().uri());
        assertThrows(ConfigException.class, () -> parse(Map.of("DD_API_KEY", "k", "DD_SITE", "not a site")));
    }

    @Test
    void unifiedServiceTagsAndDdTagsBecomeCommonTagsWithTheDedicatedVariablesWinning() {
        MetricsConfig config = parse(Map.of("DD_TAGS", "team:data, env:wrong  bare cost-center:42", "DD_ENV", "prod",
                "DD_SERVICE", "orders", "DD_VERSION", "1.0", "OPL_NAMESPACE", "shop"));
        assertEquals(Map.of("team", "data", "env", "prod", "cost-center", "42", "service", "orders", "version", "1.0",
                "namespace", "shop"), config.tags());
    }
}
