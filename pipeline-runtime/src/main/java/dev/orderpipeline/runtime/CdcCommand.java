package dev.orderpipeline.runtime;

import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.cdc.replication.CdcStoppedException;
import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code pipeline-runtime cdc}: the replicator, configured only by the environment. */
@Command(name = "cdc", mixinStandardHelpOptions = true,
        description = "Replicate a warehouse table into PostgreSQL, exactly once. Configured by OPL_CDC_*, "
                + "OPL_POSTGRES_* and the warehouse's OPL_* environment variables (see CDC.md).")
final class CdcCommand implements java.util.concurrent.Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(CdcCommand.class);

    @Override
    public Integer call() {
        CdcConfig config;
        String bindAddress;
        try {
            config = CdcConfig.from(Environment.system());
            bindAddress = Environment.system().ipAddress(Setting.HTTP_BIND_ADDRESS);
        } catch (ConfigException e) {
            TerminationMessage.exiting("pipeline-runtime cdc: configuration error: " + e.getMessage());
            return LoadCommand.EXIT_CONFIG;
        }
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger(LoadCommand.EXIT_STOPPED);
        try (CdcProcess process = new CdcProcess(config, bindAddress)) {
            // SIGTERM: the loop finishes its transaction (or its pause) and returns; then the JVM exits 0.
            Thread hook = new Thread(() -> {
                process.stop();
                try {
                    if (finished.await(60, TimeUnit.SECONDS)) {
                        Runtime.getRuntime().halt(exitCode.get());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "cdc-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            LOG.info("replicating {} ({}) into {}", config.sourceTable(), config.mode().name().toLowerCase(), config.postgres());
            process.run();
            exitCode.set(0);
            return 0;
        } catch (CdcStoppedException e) {
            TerminationMessage.exiting("pipeline-runtime cdc: stopped: " + e.getMessage());
            return LoadCommand.EXIT_STOPPED;
        } catch (ConfigException | IllegalArgumentException e) {
            TerminationMessage.exiting("pipeline-runtime cdc: configuration error: " + e.getMessage());
            return LoadCommand.EXIT_CONFIG;
        } catch (Exception e) {
            TerminationMessage.exiting("pipeline-runtime cdc: failed: " + e);
            return LoadCommand.EXIT_STOPPED;
        } finally {
            finished.countDown();
        }
    }
}
