package dev.orderpipeline.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orderpipeline.cdc.replication.CdcMetrics;
import dev.orderpipeline.cdc.replication.CdcStatus;
import dev.orderpipeline.cdc.replication.CdcStoppedException;
import dev.orderpipeline.cdc.replication.DriftAudit;
import dev.orderpipeline.cdc.replication.Replicator;
import dev.orderpipeline.cdc.source.ChangeSource;
import dev.orderpipeline.cdc.source.StaleStreamException;
import dev.orderpipeline.cdc.source.StreamSource;
import dev.orderpipeline.cdc.target.PostgresTarget;
import dev.orderpipeline.config.Environment;
import dev.orderpipeline.embedded.EmbeddedPostgres;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Snowflake stream that went stale (fakesnow has none, so the source here is one that reports it
 * the way {@link StreamSource} does): the sync stops, says so on /status and in the metric, and
 * points at the documented re-snapshot; it does not retry forever.
 */
class StaleStreamTest {
    @TempDir
    Path dir;

    @Test
    void aStaleStreamStopsTheSyncWithTheStreamStaleStatusAndMetric() throws Exception {
        try (EmbeddedPostgres pg = new EmbeddedPostgres(dir.resolve("pg")).start()) {
            CdcConfig config = CdcConfig.from(new Environment(CdcHarness.duckDbEnv(dir.resolve("unused.duckdb"), pg)));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            CdcStatus status = new CdcStatus(config.name(), "stream");
            ChangeSource source = new StaleSource();
            try (PostgresTarget target = new PostgresTarget(config.postgres(), config.name(), "stream", source.shape(), true)) {
                Replicator replicator = new Replicator(config, source, target,
                        new DriftAudit.Sides(new StaleSource(), new PostgresTarget(config.postgres(), config.name(),
                                "stream", source.shape(), true)), status,
                        new CdcMetrics(registry, config.name(), "stream", "public.orders"));
                CdcStoppedException stopped = assertThrows(CdcStoppedException.class, replicator::run);
                assertTrue(stopped.getMessage().contains("stale"), stopped.getMessage());
                CdcStatus.Snapshot snapshot = status.snapshot();
                assertTrue(snapshot.streamStale());
                assertTrue(snapshot.stalled());
                assertEquals("Stalled", snapshot.phase());
                assertTrue(snapshot.lastError().contains("Re-snapshot"), snapshot.lastError());
                assertFalse(status.isReady());
                assertTrue(registry.scrape().lines().anyMatch(l -> l.startsWith("orderpipeline_cdc_stream_stale{")
                        && l.endsWith(" 1.0")), registry.scrape());
            }
        }
    }

    /** Reports a stale stream on the first read of changes, as StreamSource does after SHOW STREAMS. */
    private static final class StaleSource implements ChangeSource {
        @Override
        public SourceShape shape() {
            return new SourceShape(List.of("orderid"), List.of(StreamSource.SEQ), false);
        }

        @Override
        public JsonNode currentWatermark() {
            return JsonNodeFactory.instance.objectNode().put("seq", 0);
        }

        @Override
        public ChangePage snapshotPage(JsonNode afterKey, int limit) {
            return new ChangePage(List.of(), List.of(), null, false, null, null);
        }

        @Override
        public ChangePage changesSince(JsonNode watermark, int limit) {
            throw new StaleStreamException("stream ANALYTICS.RAW.ORDERS_OPL_STREAM is stale: its changes are beyond "
                    + "the table's retention. Re-snapshot: see CDC.md.");
        }

        @Override
        public AuditDigest audit() {
            return new AuditDigest(0, 0);
        }

        @Override
        public String summarize(JsonNode watermark) {
            return String.valueOf(watermark);
        }

        @Override
        public void reset() {
        }

        @Override
        public void close() {
        }
    }
}
