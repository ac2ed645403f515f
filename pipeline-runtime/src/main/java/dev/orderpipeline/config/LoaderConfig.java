package dev.orderpipeline.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** Everything {@code pipeline-runtime load} needs, parsed and validated from the environment. */
public record LoaderConfig(
        String pipelineName,
        int httpPort,
        KafkaSourceConfig source,
        SinkConfig sink,
        BatchConfig batch,
        Optional<String> deadLetterTopic,
        ErrorTolerance errorTolerance,
        Duration retryMaxBackoff,
        OptionalInt maxColumns,
        Duration sinkStatementTimeout) {

    public enum ErrorTolerance { NONE, ALL }

    public static LoaderConfig from(Environment env) {
        String pipeline = env.required(Setting.PIPELINE_NAME);
        if (!pipeline.matches("[a-zA-Z0-9._-]{1,253}")) {
            throw ConfigException.invalid(Setting.PIPELINE_NAME, pipeline, "letters, digits, '.', '_' or '-'");
        }
        int port = env.port(Setting.HTTP_PORT);
        KafkaSourceConfig source = KafkaSourceConfig.from(env, pipeline);
        SinkConfig sink = SinkConfig.from(env);
        BatchConfig batch = BatchConfig.from(env);
        Optional<String> deadLetter = env.optional(Setting.DEAD_LETTER_TOPIC);
        deadLetter.ifPresent(t -> TopicNames.requireValid(Setting.DEAD_LETTER_TOPIC, t));
        ErrorTolerance tolerance = env.choice(Setting.ERROR_TOLERANCE, ErrorTolerance.class);
        if (tolerance == ErrorTolerance.ALL && deadLetter.isEmpty()) {
            throw ConfigException.missing(Setting.DEAD_LETTER_TOPIC, "when " + Setting.ERROR_TOLERANCE.envName()
                    + "=all (bad records must go somewhere; or set it to none to stop at the first one)");
        }
        if (deadLetter.filter(source.topic()::equals).isPresent()) {
            throw ConfigException.invalid(Setting.DEAD_LETTER_TOPIC, deadLetter.get(),
                    "a topic other than the source topic");
        }
        // Never below the metadata columns plus one data column: the table must hold a record.
        OptionalInt maxColumns = env.optional(Setting.SINK_MAX_COLUMNS).isPresent()
                ? OptionalInt.of((int) env.positiveLong(Setting.SINK_MAX_COLUMNS, Integer.MAX_VALUE))
                : OptionalInt.empty();
        if (maxColumns.isPresent() && maxColumns.getAsInt() < 10) {
            throw ConfigException.invalid(Setting.SINK_MAX_COLUMNS, Integer.toString(maxColumns.getAsInt()),
                    "at least 10 (the loader's metadata columns take several)");
        }
        return new LoaderConfig(pipeline, port, source, sink, batch, deadLetter, tolerance,
                env.duration(Setting.RETRY_MAX_BACKOFF), maxColumns, env.duration(Setting.SINK_STATEMENT_TIMEOUT));
    }
}
