package dev.orderpipeline.runtime;

import dev.orderpipeline.config.FormatConfig.SchemaRegistryConfig;
import dev.orderpipeline.config.RecordFormat;
import dev.orderpipeline.format.SchemaRegistryClient;
import dev.orderpipeline.generate.OrderEncoding;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.generate.OrderProducer;
import dev.orderpipeline.source.KafkaClientProperties;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline-runtime generate}: Datagen-shaped orders, with updates and deletions, into a topic. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Produce orders shaped like Confluent Datagen's 'orders' quickstart, keyed by orderid.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "orders", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--count", defaultValue = "100000", description = "Events to produce (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--rate", defaultValue = "0", description = "Events per second; 0 is as fast as possible.")
    int rate;

    @Option(names = "--update-fraction", defaultValue = "0.1", description = "Share of updates to earlier orders.")
    double updateFraction;

    @Option(names = "--delete-fraction", defaultValue = "0.02", description = "Share of deletions (tombstones).")
    double deleteFraction;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed, for repeatable streams.")
    long seed;

    @Option(names = "--format", defaultValue = "json",
            description = "Value format: json, or avro, json_sr or protobuf in Confluent's wire format with the schema "
                    + "registered under <topic>-value at --schema-registry-url (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--schema-registry-url", description = "Schema Registry for avro, json_sr and protobuf.")
    URI schemaRegistryUrl;

    @Override
    public Integer call() {
        RecordFormat valueFormat;
        try {
            valueFormat = RecordFormat.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            valueFormat = RecordFormat.STRING;
        }
        if (valueFormat == RecordFormat.STRING) {
            System.err.println("--format " + format + " is not one of json, avro, json_sr, protobuf");
            return 2;
        }
        OrderEncoding encoding = OrderEncoding.json();
        if (valueFormat.needsRegistry()) {
            if (schemaRegistryUrl == null) {
                System.err.println("--format " + valueFormat.setting() + " needs --schema-registry-url (the schema is "
                        + "registered there under " + topic + "-value)");
                return 2;
            }
            SchemaRegistryClient registry = new SchemaRegistryClient(new SchemaRegistryConfig(schemaRegistryUrl,
                    Optional.empty(), Optional.empty(), Optional.empty()));
            encoding = OrderEncoding.registered(valueFormat, registry, topic);
        }
        new OrderProducer(KafkaClientProperties.producer(bootstrapServers)).produce(topic,
                new OrderGenerator(seed, updateFraction, deleteFraction, encoding), count, rate, n -> { });
        System.out.println("produced " + count + " " + valueFormat.setting() + " events to " + topic);
        return 0;
    }
}
