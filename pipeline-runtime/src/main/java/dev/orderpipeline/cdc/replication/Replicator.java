package dev.orderpipeline.cdc.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.SchemaIncompatibleException;
import dev.orderpipeline.cdc.Watermarks;
import dev.orderpipeline.cdc.source.ChangeSource;
import dev.orderpipeline.cdc.source.StaleStreamException;
import dev.orderpipeline.cdc.target.ApplyResult;
import dev.orderpipeline.cdc.target.FencedSyncException;
import dev.orderpipeline.cdc.target.PostgresTarget;
import dev.orderpipeline.cdc.target.SyncState;
import dev.orderpipeline.config.ConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication loop. A new sync records the source's current watermark as its handover point,
 * snapshots the live rows page by page in key order, then reads changes from the handover
 * watermark: a row changed during the snapshot has a newer version and is applied again, a row the
 * snapshot already read at its latest version is a no-op (the version guard), so there is neither
 * a gap nor a double apply. Every page commits with its watermark in one PostgreSQL transaction;
 * on any error the loop reconnects both sides and retries with capped exponential backoff, resuming
 * from the committed watermark.
 */
public final class Replicator {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    private final CdcConfig config;
    private final ChangeSource source;
    private final PostgresTarget target;
    private final CdcStatus status;
    private final CdcMetrics metrics;
    private final Object wakeup = new Object();
    private volatile boolean running = true;
    private SyncState state;
    /**
     * A full change read happens at least this often even while the change marker says nothing changed:
     * a bound on what a marker that lagged a commit could delay (never observed; see SNOWFLAKE.md).
     */
    static final Duration FORCED_READ = Duration.ofHours(1);
    private final CdcCost cost;
    private final ChangeReadAhead ahead;
    /** The marker read before the last change read that found nothing; null after one that found changes. */
    private String quietMarker;
    /** The last marker read, to see it move. */
    private String lastMarker;
    /**
     * Whether skipping on the marker is allowed: only once it was seen to move (fakesnow's LAST_ALTERED
     * never does), and never again once a read found changes while the marker stood still.
     */
    private boolean markerTrusted;
    private boolean markerBroken;
    private Instant forcedReadAt = Instant.EPOCH;
    private boolean idle;
    private Duration idlePause;
    private final DriftAudit audit;
    /** When a page with changes was last applied (null before the first): the drift audit waits for a quiet source. */
    private Instant lastChange;

    /**
     * @param auditSides a second source and target on their own connections, for the drift audit's thread;
     *                   closed when the loop ends
     */
    public Replicator(CdcConfig config, ChangeSource source, PostgresTarget target, DriftAudit.Sides auditSides,
                      CdcStatus status, CdcMetrics metrics) {
        this.config = config;
        this.source = source;
        this.target = target;
        this.status = status;
        this.metrics = metrics;
        this.cost = new CdcCost(source.billedWarehouse());
        this.audit = new DriftAudit(config, auditSides, status, metrics, cost);
        this.ahead = new ChangeReadAhead(source, cost);
        this.idlePause = config.interval();
        status.costOf(cost);
    }

    /** Runs until {@link #stop()}; throws {@link CdcStoppedException} on an error that retrying cannot fix. */
    public void run() {
        try {
            loop();
        } finally {
            audit.close();
        }
    }

    private void loop() {
        Duration backoff = Duration.ofMillis(200);
        while (running) {
            try {
                if (state == null) {
                    start();
                }
                boolean more = cycle();
                backoff = Duration.ofMillis(200);
                if (!more) {
                    audit.startIfDue(state, markerTrusted, lastChange);
                    source.release();
                    pause(nextPause());
                }
            } catch (SchemaIncompatibleException | ConfigException | IllegalStateException e) {
                ahead.close();
                status.stalled(e.getMessage(), false);
                throw new CdcStoppedException(e.getMessage(), e);
            } catch (StaleStreamException e) {
                ahead.close();
                metrics.streamStale();
                status.stalled(e.getMessage(), true);
                throw new CdcStoppedException(e.getMessage(), e);
            } catch (FencedSyncException e) {
                LOG.warn("{}; re-reading the state", e.getMessage());
                ahead.discard();
                state = null;
            } catch (Exception e) {
                String message = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.warn("cycle failed, retrying in {}: {}", backoff, message);
                status.failed(message);
                metrics.error();
                state = null;
                ahead.discard();
                source.reset();
                target.reset();
                pause(backoff.plusMillis(ThreadLocalRandom.current().nextLong(Math.max(1, backoff.toMillis() / 5))));
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(config.retryMaxBackoff()) > 0 ? config.retryMaxBackoff() : doubled;
            }
        }
        ahead.close();
        source.release();
    }

    private void start() throws Exception {
        SyncState stored = target.open();
        if (stored == null) {
            JsonNode handover = source.currentWatermark();
            stored = target.begin(new SyncState(SyncState.Phase.SNAPSHOT, handover, null, 0, 0, 0));
            LOG.info("new sync {}: snapshot, then changes after {}", config.name(), source.summarize(handover));
        } else {
            LOG.info("resuming sync {} ({}) at {}", config.name(), stored.phase(), source.summarize(stored.watermark()));
            status.resumedStoredState(source.summarize(stored.watermark()));
        }
        state = stored;
        status.resumed(phaseName(state), source.summarize(state.watermark()), state.rowsUpserted(), state.rowsDeleted());
    }

    /** Reads and applies one page; returns whether the source has more right now. */
    private boolean cycle() throws Exception {
        long readNanos = 0;
        ChangePage page;
        SyncState next;
        if (state.phase() == SyncState.Phase.SNAPSHOT) {
            long started = System.currentTimeMillis();
            // Larger than a change page: a snapshot is a bulk copy, paced by the warehouse's query per page, not by
            // latency (bench: 25,000-row pages copied ~17 % faster than 10,000-row ones).
            page = source.snapshotPage(state.snapshotAfterKey(), config.snapshotBatchSize());
            cost.read(started, System.currentTimeMillis());
            next = page.more() && !page.changes().isEmpty()
                    ? state.next(SyncState.Phase.SNAPSHOT, state.watermark(), lastKey(page))
                    : state.next(SyncState.Phase.INCREMENTAL, state.watermark(), null);
        } else {
            Optional<String> marker = source.changeMarker();
            if (marker.isPresent()) {
                cost.markerChecked();
                if (lastMarker != null && !lastMarker.equals(marker.get()) && !markerBroken) {
                    markerTrusted = true;
                }
                lastMarker = marker.get();
                if (markerTrusted && marker.get().equals(quietMarker) && Instant.now().isBefore(forcedReadAt)) {
                    cost.skipped();
                    idle = true;
                    status.caughtUp();
                    metrics.caughtUp();
                    return false;
                }
            }
            readNanos = System.nanoTime();
            page = ahead.take(state.watermark());
            if (page == null) {
                long started = System.currentTimeMillis();
                page = source.changesSince(state.watermark(), config.batchSize());
                cost.read(started, System.currentTimeMillis());
            }
            readNanos = System.nanoTime() - readNanos;
            if (page.changes().isEmpty() && Watermarks.same(page.watermark(), state.watermark())) {
                if (marker.isPresent() && !marker.get().equals(quietMarker)) {
                    quietMarker = marker.get();
                    forcedReadAt = Instant.now().plus(FORCED_READ);
                }
                idle = true;
                status.caughtUp();
                metrics.caughtUp();
                return false;
            }
            if (marker.isPresent() && marker.get().equals(quietMarker)) {
                // Changes were committed while the marker stood still: it cannot be trusted here.
                markerBroken = true;
                markerTrusted = false;
                LOG.warn("the source's change marker did not move across a commit; every cycle reads the source from now on");
            }
            quietMarker = null;
            next = state.next(SyncState.Phase.INCREMENTAL, page.watermark(), null);
            if (page.more() && marker.isEmpty() && source.readsAhead()) {
                // A backlog: the next page is read while this one is applied (a source with a change marker
                // decides per cycle whether to read at all, so it is read the plain way).
                ahead.start(page.watermark(), config.batchSize());
            }
        }
        idle = false;
        if (!page.columns().isEmpty()) {
            target.ensureColumns(page.columns(), state.phase() == SyncState.Phase.SNAPSHOT);
        }
        long started = System.nanoTime();
        ApplyResult result = target.apply(page.columns(), page.changes(), state, next);
        Duration latency = Duration.ofNanos(System.nanoTime() - started);
        long now = System.currentTimeMillis();
        state = new SyncState(next.phase(), next.watermark(), next.snapshotAfterKey(), next.generation(),
                state.rowsUpserted() + result.upserted(), state.rowsDeleted() + result.deleted());
        if (!page.changes().isEmpty()) {
            lastChange = Instant.now();
        }
        source.committed(next.watermark());
        Long lag = page.oldestChangeMillis() == null ? null : Math.max(0, (now - page.oldestChangeMillis()) / 1000);
        Long freshness = page.oldestProducedMillis() == null ? null : Math.max(0, now - page.oldestProducedMillis());
        metrics.applied(new CdcMetrics.ApplyCounts(result.upserted(), result.deleted()), latency, freshness, lag);
        if (LOG.isDebugEnabled()) {
            LOG.debug("cycle: {} rows (more {}), read {} ms, apply {} ms, oldest produced {} ms ago", page.changes().size(),
                    page.more(), readNanos / 1_000_000, latency.toMillis(), freshness);
        }
        status.applied(phaseName(state), source.summarize(state.watermark()), result.upserted(), result.deleted(), lag, freshness);
        return page.more();
    }

    private JsonNode lastKey(ChangePage page) {
        Change last = page.changes().get(page.changes().size() - 1);
        ArrayNode key = JsonNodeFactory.instance.arrayNode();
        for (String name : source.shape().keyColumns()) {
            int index = indexOf(page.columns(), name);
            Object value = last.values()[index];
            if (value instanceof Long l) {
                key.add(l);
            } else if (value instanceof Double d) {
                key.add(d);
            } else if (value instanceof java.math.BigDecimal d) {
                key.add(d);
            } else {
                key.add(CdcType.canonical(value));
            }
        }
        return key;
    }

    private static int indexOf(List<CdcColumn> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("key column " + name + " missing from a page");
    }

    /**
     * The pause after a cycle with nothing more to read: the interval, or while the source stays idle a
     * pause that doubles up to OPL_CDC_IDLE_INTERVAL_MAX (equal to the interval unless set: no backoff,
     * so no freshness is given up by default).
     */
    private Duration nextPause() {
        if (!idle) {
            idlePause = config.interval();
            return config.interval();
        }
        Duration pause = idlePause;
        Duration doubled = idlePause.multipliedBy(2);
        idlePause = doubled.compareTo(config.idleIntervalMax()) > 0 ? config.idleIntervalMax() : doubled;
        return pause;
    }

    private static String phaseName(SyncState state) {
        return state.phase() == SyncState.Phase.SNAPSHOT ? "Snapshot" : "Incremental";
    }

    private void pause(Duration duration) {
        synchronized (wakeup) {
            if (!running) {
                return;
            }
            try {
                wakeup.wait(Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /** Asks the loop to finish its current transaction and return. */
    public void stop() {
        running = false;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }
}
