package dev.orderpipeline.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Tells the reconciler when a primary resource is gone, so that per-resource state held in memory (Kafka
 * clients, scaling history, runtime readings) is released. This needs no finalizer: nothing outside the
 * operator has to be cleaned up, so the deletion itself is never held up.
 */
final class DeletionListener<P extends HasMetadata> extends AbstractEventSource<Void, P>
        implements ResourceEventAware<P> {
    private final Consumer<P> onDeleted;

    DeletionListener(String name, Consumer<P> onDeleted) {
        super(Void.class, name);
        this.onDeleted = onDeleted;
    }

    @Override
    public void onResourceDeleted(P resource) {
        onDeleted.accept(resource);
    }

    @Override
    public Set<Void> getSecondaryResources(P primary) {
        return Set.of();
    }
}
