package dev.orderpipeline.testing;

import dev.orderpipeline.embedded.EmbeddedKafka;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real KRaft broker for the whole test run (starting one takes seconds), stopped when JUnit
 * closes its root store. Tests isolate themselves with fresh topic and group names.
 */
public final class SharedKafka {
    private static EmbeddedKafka broker;

    private SharedKafka() {
    }

    public static synchronized EmbeddedKafka broker(ExtensionContext context) {
        if (broker == null) {
            broker = EmbeddedKafka.start();
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .put("shared-kafka", (ExtensionContext.Store.CloseableResource) SharedKafka::stop);
        }
        return broker;
    }

    private static synchronized void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** A topic name no other test uses. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
