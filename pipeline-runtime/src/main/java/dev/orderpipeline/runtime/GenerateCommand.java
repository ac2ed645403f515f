package dev.orderpipeline.runtime;

import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.generate.OrderProducer;
import dev.orderpipeline.source.KafkaClientProperties;
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

    @Override
    public Integer call() {
        new OrderProducer(KafkaClientProperties.producer(bootstrapServers)).produce(topic, new OrderGenerator(seed, updateFraction, deleteFraction), count, rate,
                n -> { });
        System.out.println("produced " + count + " events to " + topic);
        return 0;
    }
}
