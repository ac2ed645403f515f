package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderpipeline.cdc.AuditDigest;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.ChangePage;
import dev.orderpipeline.cdc.PgNames;
import dev.orderpipeline.cdc.SchemaIncompatibleException;
import dev.orderpipeline.cdc.SourceShape;
import dev.orderpipeline.config.ConfigException;
import dev.orderpipeline.config.Setting;
import dev.orderpipeline.config.SqlIdentifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Any table with a monotonic column (an update timestamp or a sequence). Each read applies the
 * rows above the watermark (the highest cursor applied) and, again, those within the lookback window
 * below it: a transaction that committed late with a cursor value inside the window is still seen.
 * Re-reads are harmless: the target's upsert is guarded by the cursor value, so applying a version
 * that is already there changes nothing. An optional {@code _DELETED} column marks soft deletes.
 */
public final class CursorSource extends JdbcSource {
    private static final String DELETED = "_DELETED";
    private final SqlIdentifier cursor;
    private final String cursorName;
    private final Duration lookback;
    private CdcType cursorType;

    public CursorSource(WarehouseDialect dialect, SqlIdentifier table, List<SqlIdentifier> keys, SqlIdentifier cursor,
                        Duration lookback) {
        super(dialect, table, keys);
        this.cursor = cursor;
        this.cursorName = PgNames.of(cursor);
        this.lookback = lookback;
    }

    @Override
    public SourceShape shape() {
        return new SourceShape(keyNames(), List.of(cursorName));
    }

    private CdcType cursorType() throws SQLException {
        if (cursorType == null) {
            try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT " + cursor.quoted() + " FROM " + table + " LIMIT 0")) {
                CdcType type = CdcType.of(rs.getMetaData(), 1);
                if (type != CdcType.BIGINT && type != CdcType.TIMESTAMP) {
                    throw new ConfigException(Setting.CDC_CURSOR_COLUMN.envName() + "=" + cursor
                            + " is a " + type + " column: a cursor must be a number or a TIMESTAMP (without time zone)");
                }
                cursorType = type;
            }
        }
        return cursorType;
    }

    private String cursorBind() throws SQLException {
        return cursorType() == CdcType.BIGINT ? "?" : "CAST(? AS TIMESTAMP)";
    }

    private JsonNode minusLookback(JsonNode value) throws SQLException {
        if (cursorType() == CdcType.BIGINT) {
            return JsonNodeFactory.instance.numberNode(value.asLong() - lookback.toMillis());
        }
        return json(CdcType.parseLocal(value.asText()).minus(lookback));
    }

    @Override
    public ChangePage changesSince(JsonNode watermark, int limit) throws SQLException {
        JsonNode current = watermark == null ? null : watermark.get("cursor");
        String c = cursor.quoted();
        List<Change> changes = new ArrayList<>();
        Read late = null;
        if (current != null && !current.isNull() && !lookback.isZero()) {
            late = query("SELECT * FROM " + table + " WHERE " + c + " > " + cursorBind() + " AND " + c + " <= "
                    + cursorBind(), List.of(minusLookback(current), current));
            changes.addAll(late.changes);
        }
        List<JsonNode> binds = new ArrayList<>();
        String above = current == null || current.isNull() ? c + " IS NOT NULL" : c + " > " + cursorBind();
        if (current != null && !current.isNull()) {
            binds.add(current);
        }
        Read fresh = query("SELECT * FROM " + table + " WHERE " + above + " ORDER BY " + c + ", " + keyList("")
                + " LIMIT " + limit, binds);
        List<Change> newer = fresh.changes;
        int cursorIndex = fresh.plan.dataIndex(cursorName);
        boolean more = newer.size() >= limit;
        if (more) {
            // The page may end inside a run of equal cursor values: keep only whole runs.
            Object last = newer.get(newer.size() - 1).values()[cursorIndex];
            int end = newer.size();
            while (end > 0 && last.equals(newer.get(end - 1).values()[cursorIndex])) {
                end--;
            }
            if (end > 0) {
                newer = newer.subList(0, end);
            } else {
                newer = query("SELECT * FROM " + table + " WHERE " + c + " = " + cursorBind(),
                        List.of(toJson(last))).changes;
            }
        }
        changes.addAll(newer);
        JsonNode next = current;
        if (!newer.isEmpty()) {
            next = toJson(newer.get(newer.size() - 1).values()[cursorIndex]);
        }
        ObjectNode w = JsonNodeFactory.instance.objectNode();
        w.set("cursor", next == null ? JsonNodeFactory.instance.nullNode() : next);
        Long oldest = null;
        if (cursorType() == CdcType.TIMESTAMP) {
            for (Change ch : newer) {
                long millis = ((LocalDateTime) ch.values()[cursorIndex]).toInstant(ZoneOffset.UTC).toEpochMilli();
                oldest = oldest == null ? millis : Math.min(oldest, millis);
            }
        }
        return new ChangePage(fresh.plan.data(), changes, w, more, oldest, null);
    }

    private static JsonNode toJson(Object cursorValue) {
        return json(cursorValue);
    }

    @Override
    public ChangePage snapshotPage(JsonNode afterKey, int limit) throws SQLException {
        // Soft-deleted rows come as deletes (a no-op on a new target) so that the keyset moves past them.
        return snapshotPage(table, "TRUE", afterKey, limit, (c, sql, binds) -> {
            Read read = query(c, sql, binds);
            return new ChangePage(read.plan.data(), read.changes, null, false, null, null);
        });
    }

    @Override
    public JsonNode currentWatermark() throws SQLException {
        cursorType();
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT max(" + cursor.quoted() + ") FROM " + table)) {
            rs.next();
            ObjectNode w = JsonNodeFactory.instance.objectNode();
            w.set("cursor", toJson(cursorType.read(rs, 1)));
            return w;
        }
    }

    @Override
    public AuditDigest audit() throws SQLException {
        AuditDigest.Builder digest = new AuditDigest.Builder();
        boolean soft = hasDeletedColumn();
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(
                "SELECT " + keyList("") + ", " + cursor.quoted() + " FROM " + table
                        + (soft ? " WHERE NOT coalesce(\"_DELETED\", FALSE)" : ""))) {
            digest.addAll(rs);
        }
        return digest.build();
    }

    private boolean hasDeletedColumn() throws SQLException {
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " LIMIT 0")) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                if (rs.getMetaData().getColumnLabel(i).equalsIgnoreCase(DELETED)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String summarize(JsonNode watermark) {
        JsonNode c = watermark == null ? null : watermark.get("cursor");
        return cursor + " <= " + (c == null || c.isNull() ? "(empty)" : c.asText()) + ", lookback " + lookback;
    }

    private record Read(Plan plan, List<Change> changes) {
    }

    /**
     * A marker change whose delete flag is set for soft-deleted rows. Rows soft-deleted in the
     * source are deletes; everything else an upsert.
     */
    private Read query(String sql, List<JsonNode> binds) throws SQLException {
        return query(connection(), sql, binds);
    }

    private Read query(Connection c, String sql, List<JsonNode> binds) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, binds);
            try (ResultSet rs = s.executeQuery()) {
                Plan plan = Plan.of(rs.getMetaData(), Set.of(DELETED));
                plan.requireKeys(keyNames());
                if (plan.dataIndex(cursorName) < 0) {
                    throw new SchemaIncompatibleException(cursorName, "cursor column " + cursor + " is not a column of " + table);
                }
                Integer deleted = plan.special().get(DELETED);
                List<Change> changes = new ArrayList<>();
                while (rs.next()) {
                    Object[] values = new Object[plan.data().size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = plan.data().get(i).type().read(rs, plan.dataIndexes()[i]);
                    }
                    changes.add(new Change(values, deleted != null && rs.getBoolean(deleted)));
                }
                return new Read(plan, changes);
            }
        }
    }
}
