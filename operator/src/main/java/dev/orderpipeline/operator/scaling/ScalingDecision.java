package dev.orderpipeline.operator.scaling;

import java.time.Duration;
import java.util.Optional;

/**
 * The loaders a pipeline gets now.
 *
 * @param replicas   replicas for the loader Deployment
 * @param why        why, for the Scaled event (no secret, no changing number other than the inputs)
 * @param recheckIn  when a pending scale-down becomes due; the reconcile is rescheduled no later than that
 */
public record ScalingDecision(int replicas, String why, Optional<Duration> recheckIn) {
}
