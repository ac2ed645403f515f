package dev.orderpipeline.runtime;

import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.load.LoaderStoppedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code pipeline-runtime load}: the loader, configured only by the environment. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load orders from a Kafka topic into the warehouse, exactly once. Configured by OPL_* "
                + "environment variables (see the README).")
final class LoadCommand implements java.util.concurrent.Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(LoadCommand.class);
    static final int EXIT_CONFIG = 2;
    static final int EXIT_STOPPED = 1;

    @Override
    public Integer call() {
        LoaderConfig config;
        String bindAddress;
        try {
            config = LoaderConfig.from(Environment.system());
            bindAddress = Environment.system().ipAddress(Setting.HTTP_BIND_ADDRESS);
        } catch (ConfigException e) {
            TerminationMessage.exiting("pipeline-runtime load: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        }
        CountDownLatch finished = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger(EXIT_STOPPED);
        try (LoaderProcess process = new LoaderProcess(config, bindAddress)) {
            // SIGTERM: the loop flushes and commits, then the hook lets the JVM exit.
            Thread hook = new Thread(() -> {
                if (finished.getCount() > 0) {
                    // The loop still runs, so a signal ended the JVM (Kubernetes sends SIGTERM on a scale-down or a roll).
                    LOG.info("asked to stop (SIGTERM): committing the records in hand, then leaving the group");
                }
                try {
                    process.stop();
                } catch (RuntimeException alreadyClosed) {
                    // the loop ended on its own; nothing to stop
                }
                try {
                    if (finished.await(60, TimeUnit.SECONDS)) {
                        // A signal-initiated exit reports 143; a clean flush-and-commit is a success.
                        Runtime.getRuntime().halt(exitCode.get());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "loader-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            LOG.info("loading {} into {} as pipeline {}", config.source().topic(), config.sink().table(), config.pipelineName());
            process.run();
            exitCode.set(0);
            return 0;
        } catch (ConfigException e) {
            TerminationMessage.exiting("pipeline-runtime load: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (LoaderStoppedException e) {
            TerminationMessage.exiting("pipeline-runtime load: stopped: " + e.getMessage());
            return EXIT_STOPPED;
        } catch (IllegalArgumentException e) {
            TerminationMessage.exiting("pipeline-runtime load: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (Exception e) {
            TerminationMessage.exiting("pipeline-runtime load: failed: " + e);
            return EXIT_STOPPED;
        } finally {
            finished.countDown();
        }
    }
}
