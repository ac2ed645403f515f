package dev.orderpipeline.operator;

import dev.orderpipeline.operator.config.OperatorSettings;
import dev.orderpipeline.operator.metrics.MetricsSettings;
import java.io.IOException;
import java.time.Clock;

/**
 * Starts the operator with the settings found in its environment (see {@link OperatorSettings},
 * {@link ProcessSettings} and {@link MetricsSettings}).
 */
public final class OperatorMain {
    private OperatorMain() {
    }

    public static void main(String[] args) throws IOException {
        OperatorProcess process = OperatorProcess.start(OperatorSettings.fromEnvironment(System.getenv()),
                ProcessSettings.fromEnvironment(System.getenv()), MetricsSettings.fromEnvironment(System.getenv()),
                null, Clock.systemUTC(), o -> { });
        process.installShutdownHook();
    }
}
