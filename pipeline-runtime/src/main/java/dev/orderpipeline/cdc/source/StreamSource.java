package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderpipeline.cdc.AuditDigest;
import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.SourceShape;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.config.SqlIdentifier;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Snowflake {@code stream} mode (SQL in {@link SnowflakeStreamSql}). The watermark is
 * {@code {"seq": S, "afterKey": …}}: staging tables up to S are applied; {@code afterKey} is set while
 * staging table S + 1 is applied page by page. The snapshot is the stream's initial rows.
 */
public final class StreamSource extends JdbcSource {
    public static final String SEQ = "_opl_stream_seq";
    private final SnowflakeStreamSql sql;
    private boolean streamReady;

    public StreamSource(WarehouseDialect dialect, SqlIdentifier table, List<SqlIdentifier> keys, SqlIdentifier stream,
                        SqlIdentifier stagingPrefix) {
        super(dialect, table, keys);
        SinkConfig.Snowflake config = ((WarehouseDialect.Snowflake) dialect).config();
        this.sql = new SnowflakeStreamSql(config.database(), config.schema(), table, stream, stagingPrefix, keys);
    }

    @Override
    public SourceShape shape() {
        return new SourceShape(keyNames(), List.of(SEQ), false);
    }

    private void ensureStream() throws SQLException {
        if (streamReady) {
            return;
        }
        try (Statement s = connection().createStatement()) {
            s.execute(sql.createStream());
        }
        streamReady = true;
    }

    private void requireFresh() throws SQLException {
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql.showStream())) {
            if (rs.next() && SnowflakeStreamSql.isStale(rs.getString("stale"))) {
                throw new StaleStreamException("stream " + sql.streamName() + " is stale: its changes are beyond the "
                        + "table's retention. Re-snapshot: see CDC.md (recreate the stream, reset the state row).");
            }
        }
    }

    private boolean stagingExists(long seq) throws SQLException {
        return stagingSequences().contains(seq);
    }

    private List<String> stagingTableNames() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql.showStagingTables())) {
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        }
        return names;
    }

    private List<Long> stagingSequences() throws SQLException {
        List<Long> seqs = new ArrayList<>();
        for (String name : stagingTableNames()) {
            sql.sequenceOf(name).ifPresent(seqs::add);
        }
        return seqs;
    }

    @Override
    public ChangePage changesSince(JsonNode watermark, int limit) throws SQLException {
        ensureStream();
        long applied = watermark.path("seq").asLong(0);
        JsonNode afterKey = watermark.get("afterKey");
        long seq = applied + 1;
        if (!stagingExists(seq)) {
            requireFresh();
            boolean hasData;
            try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql.streamHasData())) {
                hasData = rs.next() && rs.getBoolean(1);
            }
            if (!hasData) {
                return new ChangePage(List.of(), List.of(), watermark, false, null, null);
            }
            try (Statement s = connection().createStatement()) {
                s.execute(sql.consumeInto(seq));
            }
        }
        List<JsonNode> binds = new ArrayList<>();
        String condition = keysetCondition("", afterKey, binds);
        try (PreparedStatement s = connection().prepareStatement(sql.collapsedChanges(seq, condition, limit))) {
            bind(s, binds);
            try (ResultSet rs = s.executeQuery()) {
                Plan plan = Plan.of(rs.getMetaData(), Set.of(SnowflakeStreamSql.DELETE_FLAG));
                plan.requireKeys(keyNames());
                List<CdcColumn> columns = new ArrayList<>(plan.data());
                columns.add(new CdcColumn(SEQ, CdcType.BIGINT));
                int flag = plan.special().get(SnowflakeStreamSql.DELETE_FLAG);
                List<Change> changes = new ArrayList<>();
                while (rs.next()) {
                    Object[] values = new Object[columns.size()];
                    for (int i = 0; i < plan.data().size(); i++) {
                        values[i] = plan.data().get(i).type().read(rs, plan.dataIndexes()[i]);
                    }
                    values[values.length - 1] = seq;
                    changes.add(new Change(values, rs.getBoolean(flag)));
                }
                ObjectNode next = JsonNodeFactory.instance.objectNode();
                boolean more = changes.size() >= limit;
                if (more) {
                    next.put("seq", applied);
                    next.set("afterKey", keyOf(plan, changes.get(changes.size() - 1)));
                } else {
                    next.put("seq", seq);
                }
                return new ChangePage(columns, changes, next, true, null, null);
            }
        }
    }

    private JsonNode keyOf(Plan plan, Change change) {
        var array = JsonNodeFactory.instance.arrayNode();
        for (String key : keyNames()) {
            array.add(json(change.values()[plan.dataIndex(key)]));
        }
        return array;
    }

    @Override
    public void committed(JsonNode watermark) throws SQLException {
        for (String drop : sql.dropsAfterApplied(stagingTableNames(), watermark.path("seq").asLong(0))) {
            try (Statement s = connection().createStatement()) {
                s.execute(drop);
            }
        }
    }

    @Override
    public boolean caughtUp(JsonNode applied) throws SQLException {
        if (applied.hasNonNull("afterKey") || stagingExists(applied.path("seq").asLong(0) + 1)) {
            return false;
        }
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql.streamHasData())) {
            return !(rs.next() && rs.getBoolean(1));
        }
    }

    @Override
    public JsonNode currentWatermark() {
        return JsonNodeFactory.instance.objectNode().put("seq", 0);
    }

    @Override
    public ChangePage snapshotPage(JsonNode afterKey, int limit) {
        // The stream was created with SHOW_INITIAL_ROWS: its first consumption is the snapshot.
        return new ChangePage(List.of(), List.of(), null, false, null, null);
    }

    @Override
    public AuditDigest audit() throws SQLException {
        AuditDigest.Builder digest = new AuditDigest.Builder();
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(sql.auditKeys())) {
            digest.addAll(rs);
        }
        return digest.build();
    }

    /** Stream mode asks SYSTEM$STREAM_HAS_DATA before it consumes the stream (in {@link #changesSince}). */
    @Override
    public java.util.Optional<String> changeMarker() {
        return java.util.Optional.empty();
    }

    @Override
    public String summarize(JsonNode watermark) {
        return "staging sequence " + watermark.path("seq").asLong(0) + " applied"
                + (watermark.hasNonNull("afterKey") ? ", next in progress after key " + watermark.get("afterKey") : "");
    }
}
