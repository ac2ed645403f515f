package dev.orderpipeline.operator;

import dev.orderpipeline.operator.api.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * How the operator process runs (as opposed to what it reconciles), read from its environment; the names
 * are those the Helm chart sets.
 *
 * @param httpPort       port of /healthz, /readyz and /metrics ({@value #HTTP_PORT_ENV}, default 8081)
 * @param leaderElection whether only the holder of a Lease reconciles ({@value #LEADER_ELECTION_ENV}, default true)
 * @param leaseName      name of the Lease ({@value #LEASE_NAME_ENV}, default orderpipeline-operator)
 * @param leaseNamespace namespace of the Lease ({@value #LEASE_NAMESPACE_ENV}); empty means the client's namespace
 * @param identity       this process's name in the Lease: POD_NAME, else HOSTNAME, else a random id
 * @param leaseTiming    the Lease's duration, renew deadline and retry period ({@value #LEASE_DURATION_ENV},
 *                       {@value #RENEW_DEADLINE_ENV}, {@value #RETRY_PERIOD_ENV}; default {@link LeaseTiming#DEFAULT})
 */
public record ProcessSettings(int httpPort, boolean leaderElection, String leaseName, Optional<String> leaseNamespace,
                              String identity, LeaseTiming leaseTiming) {
    public static final String HTTP_PORT_ENV = "OPL_HTTP_PORT";
    public static final String LEADER_ELECTION_ENV = "OPL_LEADER_ELECTION_ENABLED";
    public static final String LEASE_NAME_ENV = "OPL_LEADER_ELECTION_LEASE_NAME";
    public static final String LEASE_NAMESPACE_ENV = "OPL_LEADER_ELECTION_NAMESPACE";
    public static final String LEASE_DURATION_ENV = "OPL_LEADER_ELECTION_LEASE_DURATION";
    public static final String RENEW_DEADLINE_ENV = "OPL_LEADER_ELECTION_RENEW_DEADLINE";
    public static final String RETRY_PERIOD_ENV = "OPL_LEADER_ELECTION_RETRY_PERIOD";
    public static final String DEFAULT_LEASE_NAME = "orderpipeline-operator";

    /** With the default Lease timing. */
    public ProcessSettings(int httpPort, boolean leaderElection, String leaseName, Optional<String> leaseNamespace,
                           String identity) {
        this(httpPort, leaderElection, leaseName, leaseNamespace, identity, LeaseTiming.DEFAULT);
    }

    public static ProcessSettings fromEnvironment(Map<String, String> env) {
        return new ProcessSettings(
                Integer.parseInt(value(env, HTTP_PORT_ENV).orElse("8081")),
                Boolean.parseBoolean(value(env, LEADER_ELECTION_ENV).orElse("true")),
                value(env, LEASE_NAME_ENV).orElse(DEFAULT_LEASE_NAME),
                value(env, LEASE_NAMESPACE_ENV),
                value(env, "POD_NAME").or(() -> value(env, "HOSTNAME"))
                        .orElseGet(() -> "orderpipeline-operator-" + UUID.randomUUID()),
                new LeaseTiming(
                        duration(env, LEASE_DURATION_ENV, LeaseTiming.DEFAULT.leaseDuration()),
                        duration(env, RENEW_DEADLINE_ENV, LeaseTiming.DEFAULT.renewDeadline()),
                        duration(env, RETRY_PERIOD_ENV, LeaseTiming.DEFAULT.retryPeriod())));
    }

    private static Duration duration(Map<String, String> env, String name, Duration fallback) {
        Optional<String> text = value(env, name);
        if (text.isEmpty()) {
            return fallback;
        }
        return Durations.parse(text.get()).filter(d -> !d.isZero()).orElseThrow(() -> new IllegalArgumentException(
                name + " is '" + text.get() + "': give a duration such as 15s or 1m"));
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
