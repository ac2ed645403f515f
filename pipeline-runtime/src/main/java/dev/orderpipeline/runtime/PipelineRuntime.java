package dev.orderpipeline.runtime;

import dev.orderpipeline.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one entry point of the runtime image: {@code pipeline-runtime <subcommand>}. */
@Command(name = "pipeline-runtime",
        mixinStandardHelpOptions = true,
        version = "pipeline-runtime 0.1.0",
        description = "The Order Pipeline data plane.",
        subcommands = {LoadCommand.class, CdcCommand.class, GenerateCommand.class, DemoCommand.class,
                BenchCommand.class})
public final class PipelineRuntime implements Runnable {

    public static void main(String[] args) {
        // The Snowflake driver logs through java.util.logging unless told otherwise.
        System.setProperty("net.snowflake.jdbc.loggerImpl", "net.snowflake.client.log.SLF4JLogger");
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return new CommandLine(new PipelineRuntime())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
