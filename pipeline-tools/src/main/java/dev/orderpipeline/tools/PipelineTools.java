package dev.orderpipeline.tools;

import dev.orderpipeline.bench.BenchCommand;
import dev.orderpipeline.runtime.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The developer's entry point, {@code java -jar pipeline-tools.jar <subcommand>}: the commands that
 * start their own broker and PostgreSQL. Kept out of {@code pipeline-runtime}, so the production jar
 * and image carry only what {@code load} and {@code cdc} need.
 */
@Command(name = "pipeline-tools",
        mixinStandardHelpOptions = true,
        version = "pipeline-tools 0.1.0",
        description = "The Order Pipeline demo and benchmark, on an embedded Kafka broker and PostgreSQL.",
        subcommands = {DemoCommand.class, BenchCommand.class})
public final class PipelineTools implements Runnable {

    public static void main(String[] args) {
        // As in PipelineRuntime: the Snowflake driver (on the class path) logs through java.util.logging otherwise.
        System.setProperty("net.snowflake.jdbc.loggerImpl", "net.snowflake.client.log.SLF4JLogger");
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return new CommandLine(new PipelineTools())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
