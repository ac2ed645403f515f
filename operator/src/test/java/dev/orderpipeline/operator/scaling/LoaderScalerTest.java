package dev.orderpipeline.operator.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.operator.TestPipelines;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.OrderPipelineSpec;
import dev.orderpipeline.operator.api.OrderPipelineStatus;
import dev.orderpipeline.operator.api.ScalingSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Manual-mode replicas stay capped at the partitions the operator last read, whatever Kafka answers now. */
class LoaderScalerTest {
    private static final Instant NOW = Instant.parse("2026-12-02T06:00:00Z");
    private final LoaderScaler scaler = new LoaderScaler(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void manualReplicasAboveThePartitionCountAreCappedAtThePartitionsReadNow() {
        OrderPipeline pipeline = manual(12, null);

        ScalingDecision decision = scaler.decide(pipeline, SourceReading.of(6, 0, "orders", NOW));

        assertEquals(6, decision.replicas());
    }

    @Test
    void aFailedKafkaProbeKeepsTheCapAtTheLastKnownPartitionsInsteadOfLiftingIt() {
        OrderPipeline pipeline = manual(12, 6);

        ScalingDecision decision = scaler.decide(pipeline,
                SourceReading.failed(SourceReading.UNREACHABLE, "Kafka is not reachable.", NOW));

        assertEquals(6, decision.replicas(), "not 12 until Kafka answers again");
        assertTrue(decision.why().contains("last known"), decision.why());
    }

    @Test
    void withoutAnyPartitionCountTheRequestedReplicasRun() {
        OrderPipeline pipeline = manual(12, null);

        ScalingDecision decision = scaler.decide(pipeline,
                SourceReading.failed(SourceReading.UNREACHABLE, "Kafka is not reachable.", NOW));

        assertEquals(12, decision.replicas());
    }

    private static OrderPipeline manual(int replicas, Integer knownPartitions) {
        OrderPipelineSpec base = TestPipelines.snowflakeSpec();
        OrderPipelineSpec spec = new OrderPipelineSpec(base.source(), base.sink(), base.batch(),
                new ScalingSpec(ScalingSpec.Mode.MANUAL, replicas, 1, 24, null, null), base.deadLetter(), base.dbt(),
                base.monitoring(), base.state());
        OrderPipeline pipeline = TestPipelines.pipeline("ns", "orders", spec);
        if (knownPartitions != null) {
            pipeline.setStatus(new OrderPipelineStatus(1L, "Running", null, replicas, replicas, knownPartitions,
                    null, knownPartitions, null, null, null, null, null));
        }
        return pipeline;
    }
}
