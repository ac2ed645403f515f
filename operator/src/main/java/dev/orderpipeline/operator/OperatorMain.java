package dev.orderpipeline.operator;

import java.io.IOException;
import java.time.Clock;

/**
 * Starts the operator with the settings found in its environment (see {@link OperatorSettings} and
 * {@link ProcessSettings}).
 */
public final class OperatorMain {
    private OperatorMain() {
    }

    public static void main(String[] args) throws IOException {
        OperatorProcess process = OperatorProcess.start(OperatorSettings.fromEnvironment(System.getenv()),
                ProcessSettings.fromEnvironment(System.getenv()), null, Clock.systemUTC());
        process.installShutdownHook();
    }
}
