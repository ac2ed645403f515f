package dev.orderpipeline.operator;

import java.time.Duration;

/**
 * How long the leader's Lease lasts and how it is kept: the same three durations as Kubernetes' own controller
 * managers ({@code --leader-elect-lease-duration}, {@code -renew-deadline}, {@code -retry-period}), with their
 * defaults. A leader that cannot renew within {@code renewDeadline} (an overloaded API server or etcd, a long
 * pause of its own) gives the Lease up and the operator exits so that no two replicas reconcile at once; on a
 * busy control plane longer durations trade slower fail-over for fewer such restarts.
 *
 * @param leaseDuration how long a replica that is not the leader waits after the last renewal before it takes over
 * @param renewDeadline how long the leader keeps trying to renew before it gives the Lease up
 * @param retryPeriod   how often every replica tries to acquire or renew
 */
public record LeaseTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final LeaseTiming DEFAULT = new LeaseTiming(Duration.ofSeconds(15), Duration.ofSeconds(10),
            Duration.ofSeconds(2));
    /** The client's jitter on the retry period: a renewal may come this much later than {@code retryPeriod}. */
    private static final double RETRY_JITTER = 1.2;

    public LeaseTiming {
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException(ProcessSettings.RENEW_DEADLINE_ENV + " (" + renewDeadline.toSeconds()
                    + " s) must be shorter than " + ProcessSettings.LEASE_DURATION_ENV + " (" + leaseDuration.toSeconds()
                    + " s): the leader must give the Lease up before another replica may take it");
        }
        if (retryPeriod.toMillis() * RETRY_JITTER >= renewDeadline.toMillis()) {
            throw new IllegalArgumentException(ProcessSettings.RETRY_PERIOD_ENV + " (" + retryPeriod.toMillis()
                    + " ms) must stay under " + ProcessSettings.RENEW_DEADLINE_ENV + " / " + RETRY_JITTER + " ("
                    + renewDeadline.toMillis() + " ms / " + RETRY_JITTER + "): the leader needs more than one try to renew");
        }
    }
}
