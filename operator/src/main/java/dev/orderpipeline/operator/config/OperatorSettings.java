package dev.orderpipeline.operator.config;

import dev.orderpipeline.operator.api.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How this operator process is configured, read once from its own environment at start-up.
 *
 * @param runtimeImage          image of pipeline-runtime used for the loader and replicator pods
 * @param stalledRecheck        how often a Stalled resource is looked at again; a Secret created later does
 *                              not trigger a reconcile by itself, because Secrets are not watched (that would
 *                              cache every Secret of the cluster in this process)
 * @param namespaces            namespaces watched; empty means all
 * @param sourcePollInterval    how often consumer lag and partitions are read from Kafka per pipeline (also the
 *                              period at which a running pipeline is reconciled again)
 * @param kafkaTimeout          budget of one Kafka admin call; short, so an unreachable broker does not hold a
 *                              reconcile thread for long
 * @param runtimeStatusPort     port of the runtime's {@code /status} on the pods (the runtime's OPL_HTTP_PORT)
 * @param runtimeStatusInterval how often the runtime's {@code /status} is read per resource; between two reads
 *                              the last reading is reused, which bounds status writes of a busy pipeline
 * @param httpTimeout           budget of one {@code /status} request
 * @param reconcileThreads      JOSDK's reconcile threads, shared by both controllers: how many resources are
 *                              reconciled at once ({@value #RECONCILE_THREADS_ENV}; JOSDK's own default, 50). A
 *                              reconcile blocks for at most the Kafka timeout and the {@code /status} timeout,
 *                              so a start with hundreds of resources queues, it does not pile up threads
 * @param workflowThreads       JOSDK's threads that apply the dependents of a workflow ({@value #WORKFLOW_THREADS_ENV};
 *                              JOSDK's own default, 50)
 */
public record OperatorSettings(String runtimeImage, Duration stalledRecheck, Set<String> namespaces,
                               Duration sourcePollInterval, Duration kafkaTimeout, int runtimeStatusPort,
                               Duration runtimeStatusInterval, Duration httpTimeout, int reconcileThreads,
                               int workflowThreads) {

    public static final String RUNTIME_IMAGE_ENV = "OPL_RUNTIME_IMAGE";
    public static final String STALLED_RECHECK_ENV = "OPL_STALLED_RECHECK_SECONDS";
    public static final String NAMESPACES_ENV = "OPL_WATCH_NAMESPACES";
    public static final String SOURCE_POLL_INTERVAL_ENV = "OPL_SOURCE_POLL_INTERVAL";
    public static final String KAFKA_TIMEOUT_ENV = "OPL_KAFKA_ADMIN_TIMEOUT";
    public static final String RUNTIME_STATUS_PORT_ENV = "OPL_RUNTIME_STATUS_PORT";
    public static final String RUNTIME_STATUS_INTERVAL_ENV = "OPL_RUNTIME_STATUS_INTERVAL";
    public static final String HTTP_TIMEOUT_ENV = "OPL_RUNTIME_STATUS_TIMEOUT";
    public static final String RECONCILE_THREADS_ENV = "OPL_RECONCILE_THREADS";
    public static final String WORKFLOW_THREADS_ENV = "OPL_WORKFLOW_THREADS";
    public static final int DEFAULT_RECONCILE_THREADS = 50;
    public static final int DEFAULT_WORKFLOW_THREADS = 50;
    public static final String DEFAULT_RUNTIME_IMAGE = "ghcr.io/orderpipeline/pipeline-runtime:0.1.0";

    /** The defaults of every setting but the image, stall recheck and namespaces. */
    public OperatorSettings(String runtimeImage, Duration stalledRecheck, Set<String> namespaces) {
        this(runtimeImage, stalledRecheck, namespaces, Duration.ofSeconds(15), Duration.ofSeconds(3), 8080,
                Duration.ofSeconds(30), Duration.ofSeconds(2), DEFAULT_RECONCILE_THREADS, DEFAULT_WORKFLOW_THREADS);
    }

    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        String image = value(env, RUNTIME_IMAGE_ENV).orElse(DEFAULT_RUNTIME_IMAGE);
        Duration recheck = Duration.ofSeconds(Long.parseLong(value(env, STALLED_RECHECK_ENV).orElse("30")));
        Set<String> namespaces = Stream.of(value(env, NAMESPACES_ENV).orElse("").split("\\s*,\\s*"))
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new OperatorSettings(image, recheck, namespaces,
                duration(env, SOURCE_POLL_INTERVAL_ENV, "15s"),
                duration(env, KAFKA_TIMEOUT_ENV, "3s"),
                Integer.parseInt(value(env, RUNTIME_STATUS_PORT_ENV).orElse("8080")),
                duration(env, RUNTIME_STATUS_INTERVAL_ENV, "30s"),
                duration(env, HTTP_TIMEOUT_ENV, "2s"),
                positive(env, RECONCILE_THREADS_ENV, DEFAULT_RECONCILE_THREADS),
                positive(env, WORKFLOW_THREADS_ENV, DEFAULT_WORKFLOW_THREADS));
    }

    public OperatorSettings withSourcePollInterval(Duration interval) {
        return new OperatorSettings(runtimeImage, stalledRecheck, namespaces, interval, kafkaTimeout,
                runtimeStatusPort, runtimeStatusInterval, httpTimeout, reconcileThreads, workflowThreads);
    }

    public OperatorSettings withRuntimeStatus(int port, Duration interval) {
        return new OperatorSettings(runtimeImage, stalledRecheck, namespaces, sourcePollInterval, kafkaTimeout,
                port, interval, httpTimeout, reconcileThreads, workflowThreads);
    }

    public OperatorSettings withThreads(int reconcile, int workflow) {
        return new OperatorSettings(runtimeImage, stalledRecheck, namespaces, sourcePollInterval, kafkaTimeout,
                runtimeStatusPort, runtimeStatusInterval, httpTimeout, reconcile, workflow);
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static int positive(Map<String, String> env, String name, int fallback) {
        String text = value(env, name).orElse(Integer.toString(fallback));
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " is '" + text + "': give a whole number of threads, at least 1");
    }

    private static Duration duration(Map<String, String> env, String name, String fallback) {
        String text = value(env, name).orElse(fallback);
        return Durations.parse(text).orElseThrow(() -> new IllegalArgumentException(
                name + " is '" + text + "': give a duration such as 500ms, 15s or 1m"));
    }
}
