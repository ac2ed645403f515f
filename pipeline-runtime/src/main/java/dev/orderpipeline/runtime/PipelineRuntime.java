package dev.orderpipeline.runtime;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point of the runtime image: {@code pipeline-runtime <subcommand>}. The demo and the
 * benchmark embed a broker and PostgreSQL, so they live in the {@code pipeline-tools} jar instead.
 */
@Command(name = "pipeline-runtime",
        mixinStandardHelpOptions = true,
        version = "pipeline-runtime 0.1.0",
        description = "The Order Pipeline data plane.",
        subcommands = {LoadCommand.class, CdcCommand.class, GenerateCommand.class})
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
