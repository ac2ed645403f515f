package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.DatadogSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the runtime's metrics need from its pod (charts/order-pipeline-operator/monitoring/README.md): the
 * namespace tag, the node's Datadog agent for DogStatsD, and, for clusters whose agent scrapes instead, the
 * autodiscovery annotation of an OpenMetrics check on {@code /metrics}. Both come from the downward API
 * or the spec; no Datadog key is ever rendered here (an API key only ever travels as a {@code secretKeyRef}).
 */
public final class DatadogPodRendering {
    public static final String NAMESPACE_ENV = "OPL_NAMESPACE";
    public static final String AGENT_HOST_ENV = "DD_AGENT_HOST";
    /** The OpenMetrics check's metric namespace in Datadog (scraped names differ from the DogStatsD ones). */
    public static final String OPENMETRICS_NAMESPACE = "orderpipeline_om";

    private DatadogPodRendering() {
    }

    /**
     * {@code OPL_NAMESPACE} always; {@code DD_AGENT_HOST} (the node's IP, where the agent DaemonSet listens)
     * when Datadog is enabled without the OpenMetrics check, which turns the runtime's DogStatsD on.
     */
    public static List<EnvVar> env(DatadogSpec datadog) {
        List<EnvVar> env = new ArrayList<>();
        env.add(fieldRef(NAMESPACE_ENV, "metadata.namespace"));
        if (datadog != null && datadog.enabledOrDefault() && !openMetrics(datadog)) {
            env.add(fieldRef(AGENT_HOST_ENV, "status.hostIP"));
        }
        return env;
    }

    /**
     * The autodiscovery annotation ({@code ad.datadoghq.com/<container>.checks}) of an OpenMetrics check on
     * the runtime's {@code /metrics}, when {@code monitoring.datadog.openMetrics} asks for it; else none.
     */
    public static Map<String, String> annotations(DatadogSpec datadog, String container, String pipeline) {
        if (datadog == null || !datadog.enabledOrDefault() || !openMetrics(datadog)) {
            return Map.of();
        }
        String check = "{\"openmetrics\":{\"init_config\":{},\"instances\":[{"
                + "\"openmetrics_endpoint\":\"http://%%host%%:" + LoaderEnvironment.HTTP_PORT_NUMBER + "/metrics\","
                + "\"namespace\":\"" + OPENMETRICS_NAMESPACE + "\","
                + "\"metrics\":[\"orderpipeline_.*\",\"kafka_consumer_fetch_manager_records_lag.*\"],"
                + "\"tags\":[\"pipeline:" + pipeline + "\"]}]}}";
        return new TreeMap<>(Map.of("ad.datadoghq.com/" + container + ".checks", check));
    }

    private static boolean openMetrics(DatadogSpec datadog) {
        return Boolean.TRUE.equals(datadog.openMetrics());
    }

    private static EnvVar fieldRef(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path).endFieldRef()
                .endValueFrom().build();
    }
}
