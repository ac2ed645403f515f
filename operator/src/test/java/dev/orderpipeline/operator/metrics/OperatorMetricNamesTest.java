package dev.orderpipeline.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.metrics.MetricNames;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The operator keeps its own copy of its metric names (no runtime dependency); they must be the runtime's. */
class OperatorMetricNamesTest {

    @Test
    void theOperatorsNamesAndTagsAreThoseMetricNamesReserves() {
        assertEquals(MetricNames.OPERATOR_REPLICAS_DESIRED, OperatorMetrics.REPLICAS_DESIRED);
        assertEquals(MetricNames.OPERATOR_REPLICAS_READY, OperatorMetrics.REPLICAS_READY);
        assertEquals(MetricNames.OPERATOR_CONSUMER_LAG, OperatorMetrics.CONSUMER_LAG);
        assertEquals(MetricNames.OPERATOR_DBT_RUNS, OperatorMetrics.DBT_RUNS);
        assertEquals(MetricNames.OPERATOR_DBT_MODELS_FAILED, OperatorMetrics.DBT_MODELS_FAILED);
        assertEquals(MetricNames.OPERATOR_DBT_TESTS_FAILED, OperatorMetrics.DBT_TESTS_FAILED);
        assertEquals(MetricNames.TAG_PIPELINE, OperatorMetrics.TAG_PIPELINE);
        assertEquals(MetricNames.TAG_NAMESPACE, OperatorMetrics.TAG_NAMESPACE);
        assertEquals(MetricNames.TAG_RESULT, OperatorMetrics.TAG_RESULT);
        Set<String> reserved = MetricNames.ALL.stream().filter(d -> d.source() == MetricNames.Source.OPERATOR)
                .map(MetricNames.Definition::name).collect(Collectors.toSet());
        assertEquals(reserved, Set.of(OperatorMetrics.REPLICAS_DESIRED, OperatorMetrics.REPLICAS_READY,
                OperatorMetrics.CONSUMER_LAG, OperatorMetrics.DBT_RUNS, OperatorMetrics.DBT_MODELS_FAILED,
                OperatorMetrics.DBT_TESTS_FAILED), "every reserved operator name is registered by OperatorMetrics");
    }
}
