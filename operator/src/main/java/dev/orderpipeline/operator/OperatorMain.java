package dev.orderpipeline.operator;

import dev.orderpipeline.operator.reconciler.OrderPipelineReconciler;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator with the settings found in its environment (see {@link OperatorSettings}). */
public final class OperatorMain {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

    private OperatorMain() {
    }

    public static void main(String[] args) {
        OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv());
        Operator operator = new Operator();
        operator.register(new OrderPipelineReconciler(settings, Clock.systemUTC()), config -> {
            if (!settings.namespaces().isEmpty()) {
                config.settingNamespaces(settings.namespaces());
            }
        });
        operator.installShutdownHook(Duration.ofSeconds(30));
        operator.start();
        LOG.info("Order Pipeline Operator started; runtime image {}, namespaces {}", settings.runtimeImage(),
                settings.namespaces().isEmpty() ? "all" : settings.namespaces());
    }
}
