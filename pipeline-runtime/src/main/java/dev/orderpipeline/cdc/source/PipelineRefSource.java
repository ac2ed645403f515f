package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderpipeline.cdc.AuditDigest;
import dev.orderpipeline.cdc.AuditSql;
import dev.orderpipeline.cdc.RangeDigest;
import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.SourceShape;
import dev.orderpipeline.config.SqlIdentifier;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The table an OrderPipeline loads. Each row carries its Kafka partition and offset; per partition, a
 * loader commits offsets in increasing order, one transaction at a time (DESIGN §4), and an upsert
 * moves a row's offset forward. So the watermark is the highest offset applied per partition, and the
 * rows to apply are exactly those above it: exact, cheap, on every dialect. {@code _DELETED} rows are
 * deletes. The version of a row is (partition, offset).
 *
 * <p>The change query filters on the native {@code _KAFKA_PARTITION}/{@code _KAFKA_OFFSET} columns, one
 * {@code partition = p AND offset > o} branch per partition, so that the warehouse prunes by them
 * (DuckDB zone maps, Snowflake micro-partition metadata) and a cycle costs about its changes, not the
 * table. Rows loaded before those columns existed have them NULL until a loader backfills them from
 * RECORD_METADATA when it opens the table; until this source has seen that no such row remains, it
 * reads through {@code coalesce(native, RECORD_METADATA field)}, which is exact but parses JSON per row.
 */
public final class PipelineRefSource extends JdbcSource {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PipelineRefSource.class);
    public static final String PARTITION = "_opl_partition";
    public static final String OFFSET = "_opl_offset";
    public static final String PRODUCED_AT = "_opl_produced_at";
    public static final String LOADED_AT = "_opl_loaded_at";
    private static final Set<String> SPECIAL = Set.of("RECORD_METADATA", "_DELETED", "_LOADED_AT", "_OPL_P", "_OPL_O", "_OPL_TS",
            "_KAFKA_PARTITION", "_KAFKA_OFFSET", "_KAFKA_TIMESTAMP");
    private static final List<CdcColumn> EXTRA = List.of(
            new CdcColumn(PARTITION, CdcType.BIGINT), new CdcColumn(OFFSET, CdcType.BIGINT),
            new CdcColumn(PRODUCED_AT, CdcType.TIMESTAMPTZ), new CdcColumn(LOADED_AT, CdcType.TIMESTAMP));

    /** Every row with its version, for tables that may still hold rows with NULL native coordinates. */
    private final String legacyRows;
    /** Every row with its version from the native columns alone. */
    private final String nativeRows;
    private final String nativeRowsOf;
    /** Finds a row whose coordinates are only in RECORD_METADATA; reads the native column first. */
    private final String legacyCheck;
    /** Set once no legacy row remains; loaders write the native columns on every row from then on. */
    private boolean nativeOnly;

    public PipelineRefSource(WarehouseDialect dialect, SqlIdentifier table, List<SqlIdentifier> keys) {
        super(dialect, table, keys);
        // RECORD_METADATA is never fetched whole: the JSON text per row costs more in the driver than
        // everything else a row carries.
        this.legacyRows = "(SELECT * EXCLUDE (\"RECORD_METADATA\"), "
                + "coalesce(t.\"_KAFKA_PARTITION\", " + dialect.metadataField("t", "partition") + ") AS \"_OPL_P\", "
                + "coalesce(t.\"_KAFKA_OFFSET\", " + dialect.metadataField("t", "offset") + ") AS \"_OPL_O\", "
                + dialect.metadataField("t", "timestamp") + " AS \"_OPL_TS\" FROM " + this.table + " t) q";
        this.nativeRowsOf = "SELECT * EXCLUDE (\"RECORD_METADATA\"), t.\"_KAFKA_PARTITION\" AS \"_OPL_P\", "
                + "t.\"_KAFKA_OFFSET\" AS \"_OPL_O\", t.\"_KAFKA_TIMESTAMP\" AS \"_OPL_TS\" FROM " + this.table + " t";
        this.nativeRows = "(" + nativeRowsOf + ") q";
        this.legacyCheck = "SELECT 1 FROM " + this.table + " t WHERE t.\"_KAFKA_OFFSET\" IS NULL AND "
                + dialect.metadataField("t", "offset") + " IS NOT NULL LIMIT 1";
    }

    /**
     * Whether every row has native coordinates. Checked until true, then never again: a loader of this
     * version writes them on every row it inserts or updates, and backfills older rows when it opens
     * the table (a loader older than the native columns must not write the table any more; CDC.md).
     */
    public boolean nativeOnly() throws SQLException {
        if (!nativeOnly) {
            try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(legacyCheck)) {
                nativeOnly = !rs.next();
            }
        }
        return nativeOnly;
    }

    /** The rows relation for the mode known so far (the legacy one is always correct, only slower). */
    private String rows() {
        return nativeOnly ? nativeRows : legacyRows;
    }

    @Override
    public SourceShape shape() {
        return new SourceShape(keyNames(), List.of(PARTITION, OFFSET));
    }

    /** The change query for a watermark; public so that tests can EXPLAIN it. */
    public String changesQuery(JsonNode watermark, int limit) throws SQLException {
        if (!nativeOnly()) {
            return "SELECT * FROM " + legacyRows + " WHERE " + aboveWatermark(watermark)
                    + " ORDER BY \"_OPL_P\", \"_OPL_O\" LIMIT " + limit;
        }
        List<String> conditions = nativeBranches(watermark);
        int share = share(conditions.size(), limit);
        List<String> branches = new ArrayList<>();
        for (String condition : conditions) {
            branches.add("(" + nativeRowsOf + " WHERE " + condition + " ORDER BY t.\"_KAFKA_PARTITION\", t.\"_KAFKA_OFFSET\" LIMIT "
                    + share + ")");
        }
        return "SELECT * FROM (" + String.join(" UNION ALL ", branches) + ") q ORDER BY \"_OPL_P\", \"_OPL_O\"";
    }

    /**
     * Rows per partition branch in one page: the page's limit shared by the known partitions. Each
     * partition gets its share of every page, so under a backlog no partition waits for the others to be
     * drained (one limit over all partitions in partition order served partition 0 first and left the
     * last ones to trail by seconds at 20k orders/s). A prefix of each partition's changes in offset order
     * is still exactly what lies between its old and new watermark.
     */
    static int share(int branches, int limit) {
        int known = Math.max(1, branches - 1);
        return Math.max(1, (limit + known - 1) / known);
    }

    /**
     * One conjunction per known partition, {@code partition = p AND offset > o}, which every warehouse
     * pushes into its scan and prunes by (an OR of them is evaluated row by row after the scan, at
     * least by DuckDB: ~17x slower than these branches on 5M rows), and one for partitions not in the watermark
     * (new ones, read from their start), which on a table whose partitions are 0..n-1 prunes everything.
     */
    static List<String> nativeBranches(JsonNode watermark) {
        String p = "t.\"_KAFKA_PARTITION\"";
        String o = "t.\"_KAFKA_OFFSET\"";
        if (watermark == null || watermark.isEmpty()) {
            return List.of(o + " IS NOT NULL");
        }
        Map<Integer, Long> known = new TreeMap<>();
        watermark.fields().forEachRemaining(e -> known.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        List<String> branches = new ArrayList<>();
        known.forEach((partition, offset) -> branches.add(p + " = " + partition + " AND " + o + " > " + offset));
        int max = ((TreeMap<Integer, Long>) known).lastKey();
        List<String> gaps = new ArrayList<>();
        for (int i = 0; i < max && gaps.size() <= known.size(); i++) {
            if (!known.containsKey(i)) {
                gaps.add(Integer.toString(i));
            }
        }
        String unseen = "(" + p + " < 0 OR " + p + " > " + max;
        if (gaps.size() > known.size()) {
            // Sparse partition numbers: name the known ones instead of the gaps.
            unseen = "(" + p + " NOT IN (" + known.keySet().stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")";
        } else if (!gaps.isEmpty()) {
            unseen += " OR " + p + " IN (" + String.join(", ", gaps) + ")";
        }
        branches.add(unseen + ") AND " + o + " IS NOT NULL");
        return branches;
    }

    /** The legacy filter, over the coalesced coordinates. Offsets are numbers this code parsed, so they are inlined; partitions never seen are read from the start. */
    static String aboveWatermark(JsonNode watermark) {
        if (watermark == null || watermark.isEmpty()) {
            return "\"_OPL_O\" IS NOT NULL";
        }
        List<String> terms = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = watermark.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int partition = Integer.parseInt(e.getKey());
            long offset = e.getValue().asLong();
            terms.add("(\"_OPL_P\" = " + partition + " AND \"_OPL_O\" > " + offset + ")");
            seen.add(Integer.toString(partition));
        }
        terms.add("(\"_OPL_P\" NOT IN (" + String.join(", ", seen) + ") AND \"_OPL_O\" IS NOT NULL)");
        return "(" + String.join(" OR ", terms) + ")";
    }

    @Override
    public ChangePage changesSince(JsonNode watermark, int limit) throws SQLException {
        ObjectNode next = watermark == null || watermark.isNull() ? JsonNodeFactory.instance.objectNode() : watermark.deepCopy();
        long t0 = System.nanoTime();
        String sql = changesQuery(watermark, limit);
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql)) {
            long t1 = System.nanoTime();
            Read read = read(rs, true);
            if (LOG.isDebugEnabled()) {
                LOG.debug("changes: query {} ms, fetch {} ms, {} rows", (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000,
                        read.changes.size());
            }
            for (Change c : read.changes) {
                int n = read.columns.size();
                long partition = (Long) c.values()[n - 4];
                long offset = (Long) c.values()[n - 3];
                String p = Long.toString(partition);
                if (!next.has(p) || next.get(p).asLong() < offset) {
                    next.put(p, offset);
                }
            }
            return new ChangePage(read.columns, read.changes, next, more(read.changes, read.columns.size(), watermark, limit),
                    read.oldestLoaded, read.oldestProduced);
        }
    }

    /**
     * Whether the source may hold more changes than this page: with per-partition shares, when a
     * partition (or the branch of partitions not yet in the watermark) filled its share.
     */
    private boolean more(List<Change> changes, int columns, JsonNode watermark, int limit) throws SQLException {
        if (!nativeOnly) {
            return changes.size() >= limit;
        }
        int branches = nativeBranches(watermark).size();
        int share = share(branches, limit);
        Set<String> known = new java.util.HashSet<>();
        if (watermark != null) {
            watermark.fieldNames().forEachRemaining(known::add);
        }
        Map<String, Integer> perBranch = new java.util.HashMap<>();
        for (Change c : changes) {
            String p = Long.toString((Long) c.values()[columns - 4]);
            String branch = known.contains(p) ? p : "unseen";
            if (perBranch.merge(branch, 1, Integer::sum) >= share) {
                return true;
            }
        }
        return false;
    }

    /** Its change read keeps no state between calls but the session, which nothing else uses meanwhile. */
    @Override
    public boolean readsAhead() {
        return true;
    }

    @Override
    public ChangePage snapshotPage(JsonNode afterKey, int limit) throws SQLException {
        return snapshotPage(rows(), "NOT coalesce(\"_DELETED\", FALSE)", afterKey, limit, (c, sql, binds) -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, binds);
                try (ResultSet rs = s.executeQuery()) {
                    Read read = read(rs, false);
                    return new ChangePage(read.columns, read.changes, null, false, read.oldestLoaded, read.oldestProduced);
                }
            }
        });
    }

    @Override
    public JsonNode currentWatermark() throws SQLException {
        ObjectNode w = JsonNodeFactory.instance.objectNode();
        Map<Long, Long> sorted = new TreeMap<>();
        String rows = nativeOnly() ? nativeRows : legacyRows;
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"_OPL_P\", max(\"_OPL_O\") FROM " + rows + " WHERE \"_OPL_O\" IS NOT NULL GROUP BY \"_OPL_P\"")) {
            while (rs.next()) {
                sorted.put(rs.getLong(1), rs.getLong(2));
            }
        }
        sorted.forEach((p, o) -> w.put(Long.toString(p), o));
        return w;
    }

    @Override
    public AuditDigest audit() throws SQLException {
        AuditDigest.Builder digest = new AuditDigest.Builder();
        String sql = "SELECT " + keyList("") + ", \"_OPL_P\", \"_OPL_O\" FROM " + (nativeOnly() ? nativeRows : legacyRows)
                + " WHERE NOT coalesce(\"_DELETED\", FALSE)";
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql)) {
            digest.addAll(rs);
        }
        return digest.build();
    }

    /**
     * Per key-hash range, computed in the warehouse: only when every key column is a whole number or
     * text, whose text is the same in the warehouse and in PostgreSQL.
     */
    @Override
    public Optional<RangeDigest> auditRanges() throws SQLException {
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT " + keyList("") + " FROM " + table + " LIMIT 0")) {
            for (int i = 1; i <= keys.size(); i++) {
                CdcType type = CdcType.of(rs.getMetaData(), i);
                if (type != CdcType.BIGINT && type != CdcType.TEXT) {
                    return Optional.empty();
                }
            }
        }
        String sql = AuditSql.digest(nativeOnly() ? nativeRows : legacyRows,
                keys.stream().map(SqlIdentifier::quoted).toList(), "\"_OPL_P\"", "\"_OPL_O\"",
                "NOT coalesce(\"_DELETED\", FALSE)");
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return Optional.of(RangeDigest.read(rs));
        }
    }

    @Override
    public String summarize(JsonNode watermark) {
        if (watermark == null || watermark.isEmpty()) {
            return "no offsets applied";
        }
        List<String> parts = new ArrayList<>();
        watermark.fields().forEachRemaining(e -> parts.add(e.getKey() + ":" + e.getValue().asLong()));
        return "partition:offset " + String.join(",", parts);
    }

    private record Read(List<CdcColumn> columns, List<Change> changes, Long oldestLoaded, Long oldestProduced) {
    }

    private Read read(ResultSet rs, boolean withDeletes) throws SQLException {
        Plan plan = Plan.of(rs.getMetaData(), SPECIAL);
        plan.requireKeys(keyNames());
        List<CdcColumn> columns = new ArrayList<>(plan.data());
        columns.addAll(EXTRA);
        int n = plan.data().size();
        Integer deletedIndex = plan.special().get("_DELETED");
        Integer loadedIndex = plan.special().get("_LOADED_AT");
        int p = plan.special().get("_OPL_P");
        int o = plan.special().get("_OPL_O");
        int ts = plan.special().get("_OPL_TS");
        // The native column is a TIMESTAMP (UTC); RECORD_METADATA's field is epoch milliseconds.
        boolean tsNative = CdcType.of(rs.getMetaData(), ts) == CdcType.TIMESTAMP;
        List<Change> changes = new ArrayList<>();
        Long oldestLoaded = null;
        Long oldestProduced = null;
        while (rs.next()) {
            Object[] values = new Object[n + EXTRA.size()];
            for (int i = 0; i < n; i++) {
                values[i] = plan.data().get(i).type().read(rs, plan.dataIndexes()[i]);
            }
            values[n] = CdcType.BIGINT.read(rs, p);
            values[n + 1] = CdcType.BIGINT.read(rs, o);
            Long produced = producedMillis(rs, ts, tsNative);
            values[n + 2] = produced == null ? null : Instant.ofEpochMilli(produced);
            LocalDateTime loaded = loadedIndex == null ? null : (LocalDateTime) CdcType.TIMESTAMP.read(rs, loadedIndex);
            values[n + 3] = loaded;
            boolean deleted = withDeletes && deletedIndex != null && rs.getBoolean(deletedIndex);
            changes.add(new Change(values, deleted));
            if (loaded != null) {
                long millis = loaded.toInstant(ZoneOffset.UTC).toEpochMilli();
                oldestLoaded = oldestLoaded == null ? millis : Math.min(oldestLoaded, millis);
            }
            if (produced != null) {
                oldestProduced = oldestProduced == null ? produced : Math.min(oldestProduced, produced);
            }
        }
        return new Read(columns, changes, oldestLoaded, oldestProduced);
    }

    private static Long producedMillis(ResultSet rs, int column, boolean nativeTimestamp) throws SQLException {
        if (!nativeTimestamp) {
            return (Long) CdcType.BIGINT.read(rs, column);
        }
        LocalDateTime t = (LocalDateTime) CdcType.TIMESTAMP.read(rs, column);
        return t == null ? null : t.toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    @Override
    public String toString() {
        return "pipelineRef " + table + " on " + dialect.name() + " (keys " + keys.stream().map(Object::toString)
                .collect(Collectors.joining(",")) + ")";
    }
}
