package dev.orderpipeline.metrics;

import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.FencedException;
import dev.orderpipeline.warehouse.Warehouse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A {@link Warehouse} that measures each transaction ({@value MetricNames#COMMIT_LATENCY}) and
 * counts operations tried again after a failure ({@value MetricNames#WAREHOUSE_RETRIES}), without
 * the loader having to know. The loader calls it from its one warehouse thread; the flag is
 * volatile all the same, so that a warehouse used from several threads, one at a time, counts right.
 */
public final class MeteredWarehouse implements Warehouse {
    private final Warehouse delegate;
    private final LoaderMetrics metrics;
    private volatile boolean lastCallFailed;

    public MeteredWarehouse(Warehouse delegate, LoaderMetrics metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    @Override
    public List<Column> open() throws SQLException {
        return counted(delegate::open);
    }

    @Override
    public Map<Integer, Long> storedOffsets(String pipeline, String topic, Collection<Integer> partitions) throws SQLException {
        return counted(() -> delegate.storedOffsets(pipeline, topic, partitions));
    }

    @Override
    public void write(Batch batch) throws SQLException {
        long started = System.nanoTime();
        counted(() -> {
            delegate.write(batch);
            return null;
        });
        metrics.warehouseTransaction(Duration.ofNanos(System.nanoTime() - started));
    }

    @Override
    public void trial(Batch batch) throws SQLException {
        delegate.trial(batch); // a probe, not an operation: neither timed nor counted as a retry
    }

    /** Runs one warehouse call, counting it as a retry when the call before it failed. */
    private <T> T counted(WarehouseCall<T> call) throws SQLException {
        before();
        try {
            T result = call.run();
            lastCallFailed = false;
            return result;
        } catch (SQLException | RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    @FunctionalInterface
    private interface WarehouseCall<T> {
        T run() throws SQLException;
    }

    private void before() {
        if (lastCallFailed) {
            metrics.warehouseRetry();
        }
    }

    /** A fenced commit is not a warehouse failure: nothing is retried. */
    private void failed(Exception e) {
        lastCallFailed = !(e instanceof FencedException);
    }

    @Override
    public dev.orderpipeline.schema.SchemaLimits limits() {
        return delegate.limits();
    }

    @Override
    public void syncShape(dev.orderpipeline.warehouse.TableShape shape) {
        delegate.syncShape(shape);
    }

    @Override
    public void tidy() throws SQLException {
        delegate.tidy(); // housekeeping, not an operation: neither timed nor counted
    }

    @Override
    public boolean tidyDue() {
        return delegate.tidyDue();
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
