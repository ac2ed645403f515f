package dev.orderpipeline.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class whose tests share one operator on the mock API server ({@link OperatorHarness#start()}),
 * each test in namespaces of its own. Classes that need other operator settings start their own harness.
 */
public abstract class SharedOperatorTest {
    protected static final Duration WAIT = Duration.ofSeconds(20);
    protected static OperatorHarness harness;
    protected static KubernetesClient client;

    @BeforeAll
    static void startOperator() {
        harness = OperatorHarness.start();
        client = harness.client();
    }

    @AfterAll
    static void stopOperator() {
        harness.close();
    }
}
