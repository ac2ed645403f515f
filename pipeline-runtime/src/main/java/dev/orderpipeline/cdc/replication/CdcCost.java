package dev.orderpipeline.cdc.replication;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the sync costs the warehouse, as {@code /status} shows it under {@code cost}: change reads run
 * and skipped (the change marker said nothing was committed), time spent in warehouse reads, and for
 * a billed warehouse (Snowflake) an estimate of the seconds it ran for this sync. The estimate assumes
 * the warehouse serves only this sync and suspends 60 s after its last query (AUTO_SUSPEND = 60, and a
 * resumed warehouse is billed at least 60 s): each read keeps it up until 60 s after the read ends.
 */
public final class CdcCost {
    static final long AUTO_SUSPEND_MILLIS = 60_000;
    private final boolean billed;
    private long readsRun;
    private long readsSkipped;
    private long markerChecks;
    private long readMillis;
    private long warehouseMillis;
    private long upUntil = Long.MIN_VALUE;

    public CdcCost(boolean billed) {
        this.billed = billed;
    }

    /** A warehouse read that ran from {@code start} to {@code end} (epoch milliseconds). */
    synchronized void read(long start, long end) {
        readsRun++;
        readMillis += Math.max(0, end - start);
        long until = end + AUTO_SUSPEND_MILLIS;
        if (until > upUntil) {
            warehouseMillis += until - Math.max(start, upUntil);
            upUntil = until;
        }
    }

    synchronized void markerChecked() {
        markerChecks++;
    }

    synchronized void skipped() {
        readsSkipped++;
    }

    synchronized Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("readsRun", readsRun);
        m.put("readsSkipped", readsSkipped);
        m.put("markerChecks", markerChecks);
        m.put("readSeconds", readMillis / 1000.0);
        if (billed) {
            m.put("estimatedWarehouseSeconds", warehouseMillis / 1000.0);
            m.put("estimateAssumes", "AUTO_SUSPEND = 60 s, the warehouse serves only this sync");
        }
        return m;
    }
}
