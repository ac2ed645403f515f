package dev.orderpipeline.operator.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.api.ScalingSpec;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The replica formula and the HPA-style window, on a clock the test moves. */
class ScaleDownStabilizerTest {
    private static final ResourceID ID = new ResourceID("orders", "team-a");
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private final Instant t0 = Instant.parse("2025-11-26T10:00:00Z");

    @Test
    void desiredIsCeilOfLagOverLagPerReplicaClampedToMinAndToMaxAndPartitions() {
        ScalingSpec scaling = new ScalingSpec(ScalingSpec.Mode.LAG, null, 2, 6, 1000L, "5m");
        assertEquals(2, LoaderReplicas.recommendedForLag(scaling, 0, 12), "never below minReplicas");
        assertEquals(3, LoaderReplicas.recommendedForLag(scaling, 2001, 12), "ceil(2001 / 1000)");
        assertEquals(6, LoaderReplicas.recommendedForLag(scaling, 1_000_000, 12), "never above maxReplicas");
        assertEquals(4, LoaderReplicas.recommendedForLag(scaling, 1_000_000, 4), "never above the partitions");
        assertEquals(1, LoaderReplicas.recommendedForLag(scaling, 1_000_000, 1),
                "partitions win over minReplicas: a loader without a partition does nothing");
    }

    @Test
    void risesAtOnceAndFallsOnlyOnceTheHigherRecommendationsLeftTheWindow() {
        ScaleDownStabilizer stabilizer = new ScaleDownStabilizer();
        assertEquals(1, stabilizer.stabilize(ID, 1, Optional.empty(), WINDOW, t0));
        assertEquals(4, stabilizer.stabilize(ID, 4, Optional.of(1), WINDOW, t0.plusSeconds(15)), "up at once");
        assertEquals(4, stabilizer.stabilize(ID, 1, Optional.of(4), WINDOW, t0.plusSeconds(30)));
        assertEquals(Optional.of(t0.plusSeconds(15).plus(WINDOW)), stabilizer.nextScaleDown(ID, 1, WINDOW));
        assertEquals(4, stabilizer.stabilize(ID, 1, Optional.of(4), WINDOW, t0.plusSeconds(15).plus(WINDOW)),
                "still inside the window at its very edge");
        assertEquals(1, stabilizer.stabilize(ID, 1, Optional.of(4), WINDOW, t0.plusSeconds(16).plus(WINDOW)));
        assertEquals(Optional.empty(), stabilizer.nextScaleDown(ID, 1, WINDOW));
    }

    @Test
    void aDipInsideTheWindowChangesNothingAndFallsGoToTheHighestRecentRecommendation() {
        ScaleDownStabilizer stabilizer = new ScaleDownStabilizer();
        stabilizer.stabilize(ID, 6, Optional.empty(), WINDOW, t0);
        stabilizer.stabilize(ID, 3, Optional.of(6), WINDOW, t0.plusSeconds(120));
        assertEquals(6, stabilizer.stabilize(ID, 1, Optional.of(6), WINDOW, t0.plusSeconds(240)));
        // 6 has aged out; 3 (at 120 s) is the highest left.
        assertEquals(3, stabilizer.stabilize(ID, 1, Optional.of(6), WINDOW, t0.plusSeconds(301)));
        assertEquals(1, stabilizer.stabilize(ID, 1, Optional.of(3), WINDOW, t0.plusSeconds(421)));
    }

    @Test
    void afterAnOperatorRestartTheReplicasLastAppliedHoldForAWholeWindow() {
        ScaleDownStabilizer restarted = new ScaleDownStabilizer();
        assertEquals(5, restarted.stabilize(ID, 1, Optional.of(5), WINDOW, t0), "seeded with the applied replicas");
        assertEquals(5, restarted.stabilize(ID, 1, Optional.of(5), WINDOW, t0.plus(WINDOW)));
        assertEquals(1, restarted.stabilize(ID, 1, Optional.of(5), WINDOW, t0.plus(WINDOW).plusSeconds(1)));
    }

    @Test
    void aZeroWindowScalesDownAtOnce() {
        ScaleDownStabilizer stabilizer = new ScaleDownStabilizer();
        stabilizer.stabilize(ID, 4, Optional.empty(), Duration.ZERO, t0);
        assertEquals(1, stabilizer.stabilize(ID, 1, Optional.of(4), Duration.ZERO, t0.plusMillis(1)));
        assertTrue(stabilizer.nextScaleDown(ID, 1, Duration.ZERO).isEmpty());
    }
}
