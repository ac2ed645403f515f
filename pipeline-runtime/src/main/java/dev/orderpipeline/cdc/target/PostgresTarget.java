package dev.orderpipeline.cdc.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.cdc.AuditDigest;
import dev.orderpipeline.cdc.AuditSql;
import dev.orderpipeline.cdc.RangeDigest;
import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.CdcConfig.PostgresConfig;
import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.cdc.PgNames;
import dev.orderpipeline.cdc.SchemaIncompatibleException;
import dev.orderpipeline.cdc.SourceShape;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analytical PostgreSQL table and the sync's state row. Each page is applied in one
 * transaction: COPY into a temporary table, an {@code INSERT … ON CONFLICT DO UPDATE} guarded by the
 * version (an older version never overwrites a newer one), deletes by key (guarded the same way),
 * and the compare-and-set of the state row with the new watermark. Rows whose keys the target does not
 * hold skip all that and are COPYed straight into it: a whole snapshot page whose keys are all new
 * ({@link #insertNew}), and in any other page each upsert of a key the table lacks ({@link NewKeys}).
 * A constant number of statements per page, never one per row.
 */
public final class PostgresTarget implements AutoCloseable {
    public static final String STATE_TABLE = "orderpipeline_cdc_state";
    public static final String SYNCED_AT = "_opl_synced_at";
    private static final String OP = "\"_opl_op\"";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNIQUE_VIOLATION = "23505";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresTarget.class);

    private final PostgresConfig config;
    private final String syncName;
    private final String mode;
    private final SourceShape shape;
    private final boolean propagateDeletes;
    private final String table;
    private final String state;
    private final Map<String, String> knownColumns = new HashMap<>();
    private Connection connection;
    private final BinaryCopy copy = new BinaryCopy();
    private final NewKeys newKeys;
    private boolean snapshotCopies = true;
    /**
     * Whether the target has a unique index on the key columns (its primary key), null until the catalog
     * was read. False only while a snapshot fills a table created without it (see {@link #ensureColumns}).
     */
    private Boolean keyed;

    public PostgresTarget(PostgresConfig config, String syncName, String mode, SourceShape shape, boolean propagateDeletes) {
        this.config = config;
        this.syncName = syncName;
        this.mode = mode;
        this.shape = shape;
        this.propagateDeletes = propagateDeletes;
        this.table = PgNames.quote(config.schema()) + "." + PgNames.quote(config.table());
        this.state = PgNames.quote(config.schema()) + "." + PgNames.quote(STATE_TABLE);
        this.newKeys = new NewKeys(table, shape.keyColumns());
    }

    public String qualifiedTable() {
        return table;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Properties p = config.connection().properties();
            p.put("ApplicationName", "orderpipeline-cdc:" + syncName);
            p.put("connectTimeout", "5");
            p.put("socketTimeout", "120");
            p.put("tcpKeepAlive", "true");
            connection = DriverManager.getConnection(config.connection().jdbcUrl(), p);
            knownColumns.clear();
        }
        return connection;
    }

    /** Creates the state table if absent and returns the sync's state, or null for a new sync. */
    public SyncState open() throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + state + " (sync_name text PRIMARY KEY, target_table text NOT NULL, "
                    + "source_mode text NOT NULL, phase text NOT NULL, watermark jsonb NOT NULL, snapshot_after_key jsonb, "
                    + "generation bigint NOT NULL, rows_upserted bigint NOT NULL DEFAULT 0, "
                    + "rows_deleted bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())");
        }
        loadColumns(c);
        return readState(c);
    }

    private SyncState readState(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT phase, watermark::text, snapshot_after_key::text, generation, "
                + "rows_upserted, rows_deleted, target_table, source_mode FROM " + state + " WHERE sync_name = ?")) {
            s.setString(1, syncName);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String target = config.schema() + "." + config.table();
                if (!target.equals(rs.getString(7)) || !mode.equals(rs.getString(8))) {
                    throw new IllegalStateException("sync " + syncName + " is recorded in " + STATE_TABLE + " for "
                            + rs.getString(8) + " into " + rs.getString(7) + ", not " + mode + " into " + target
                            + ": use another OPL_CDC_NAME, or delete its state row and the target table to start over");
                }
                return new SyncState(SyncState.Phase.valueOf(rs.getString(1)), parse(rs.getString(2)),
                        parse(rs.getString(3)), rs.getLong(4), rs.getLong(5), rs.getLong(6));
            }
        }
    }

    /** Records a new sync (generation 0); returns the stored state, which another instance may have written first. */
    public SyncState begin(SyncState initial) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + state + " (sync_name, target_table, source_mode, "
                + "phase, watermark, snapshot_after_key, generation) VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?) "
                + "ON CONFLICT (sync_name) DO NOTHING")) {
            s.setString(1, syncName);
            s.setString(2, config.schema() + "." + config.table());
            s.setString(3, mode);
            s.setString(4, initial.phase().name());
            s.setString(5, text(initial.watermark()));
            s.setString(6, text(initial.snapshotAfterKey()));
            s.setLong(7, initial.generation());
            s.executeUpdate();
        }
        return readState(c);
    }

    private void loadColumns(Connection c) throws SQLException {
        knownColumns.clear();
        keyed = null;
        try (PreparedStatement s = c.prepareStatement("SELECT column_name, udt_name FROM information_schema.columns "
                + "WHERE table_schema = ? AND table_name = ?")) {
            s.setString(1, config.schema());
            s.setString(2, config.table());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    knownColumns.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        if (!knownColumns.isEmpty()) {
            keyed = hasKey(c);
        }
    }

    /**
     * Whether a valid unique index covers exactly the key columns, which is what {@code ON CONFLICT (key)}
     * needs: a primary key, or a unique index someone built on a table that existed before the sync. A
     * table that is not there counts as keyed: it will be created with its key (see {@link #ensureColumns}).
     */
    private boolean hasKey(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NULL OR EXISTS (SELECT 1 FROM pg_index i "
                + "WHERE i.indrelid = to_regclass(?) "
                + "AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indnatts = ? "
                + "AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
                + "AND NOT a.attname = ANY (?)))")) {
            s.setString(1, table);
            s.setString(2, table);
            s.setInt(3, shape.keyColumns().size());
            s.setArray(4, c.createArrayOf("text", shape.keyColumns().toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Makes the target hold {@code columns}: creates the table, adds new columns, follows a lossless
     * widening (bigint to numeric) and refuses any other change of type. Each statement is idempotent,
     * so a crash between two is harmless.
     *
     * <p>A table created for a snapshot ({@code snapshot}) gets its primary key only in the transaction that
     * ends the snapshot ({@link #apply}), built once over the copied rows instead of maintained row by row by
     * every page's COPY. Why that keeps every guarantee:
     * <ul>
     * <li>Exactly once across crashes: every page commits its rows with its {@code snapshot_after_key} in one
     * transaction, as before, and the next page reads only keys above it, in key order; so a restart (which
     * finds the table without its key in the catalog and goes on the same way) copies no key twice and skips
     * none. The key is added in the same transaction as the state's move to INCREMENTAL: a crash before that
     * commit leaves a sync still in SNAPSHOT on a table still without key; after it, the key is there.</li>
     * <li>Whatever needs the key gets it first: a page that cannot be COPYed straight in (one with deletes, the
     * guarded upserts) and every incremental page run after the key is added; a source that held a key twice
     * (which the keyed COPY refused, sending the page to the guarded upsert, newest version winning) gets the
     * same result from the de-duplication that runs when adding the key meets a duplicate.</li>
     * <li>A table that already existed keeps its key and the path it had: COPY behind a savepoint, guarded
     * upserts from the first key already there.</li>
     * <li>What a reader sees: during the snapshot a table that fills in key order, as before, but without an
     * index (a lookup by key scans it); at the end, the index build holds an ACCESS EXCLUSIVE lock on the
     * table for as long as it takes (0.5-0.7 s per million rows of the bench's orders), and readers of the
     * table wait for it. No reader ever sees the snapshot's end without the key, or the key over a partial
     * copy.</li>
     * </ul>
     */
    public void ensureColumns(List<CdcColumn> columns, boolean snapshot) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        if (knownColumns.isEmpty()) {
            loadColumns(c);
        }
        try (Statement s = c.createStatement()) {
            if (knownColumns.isEmpty()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                        + columns.stream().map(col -> col.quoted() + " " + col.type().pgType() + ", ").collect(Collectors.joining())
                        + PgNames.quote(SYNCED_AT) + " timestamptz" + (snapshot ? "" : ", PRIMARY KEY (" + keyList() + ")") + ")");
                loadColumns(c);
            }
            for (CdcColumn column : columns) {
                String existing = knownColumns.get(column.name());
                if (existing == null) {
                    s.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + column.quoted() + " "
                            + column.type().pgType());
                    knownColumns.put(column.name(), column.type().pgUdtName());
                } else if (existing.equals(CdcType.BIGINT.pgUdtName()) && column.type() == CdcType.NUMERIC) {
                    // The loader widened an integer column to an exact decimal when a fraction arrived: every
                    // bigint is a numeric, so the target follows without losing a value.
                    s.execute("ALTER TABLE " + table + " ALTER COLUMN " + column.quoted() + " TYPE "
                            + CdcType.NUMERIC.pgType());
                    knownColumns.put(column.name(), CdcType.NUMERIC.pgUdtName());
                } else if (!existing.equals(column.type().pgUdtName())) {
                    throw new SchemaIncompatibleException(column.name(), "column " + column.name().toUpperCase(Locale.ROOT)
                            + " changed type: the source now has " + column.type().name() + " (PostgreSQL "
                            + column.type().pgType() + ") but " + table + "." + column.quoted() + " is " + existing
                            + ". Not casting silently: migrate the column in PostgreSQL (or drop it to have it re-added "
                            + "from the next changes) and restart the sync.");
                }
            }
        }
    }

    /**
     * Applies one page and moves the state from {@code previous} to {@code next}, all in one transaction.
     *
     * @throws FencedSyncException when the state row is no longer at {@code previous}'s generation (nothing applied)
     */
    public ApplyResult apply(List<CdcColumn> columns, List<Change> changes, SyncState previous, SyncState next)
            throws SQLException {
        // The state row is written last, and every path's first statement (a read, a SAVEPOINT, a TEMP table) leaves
        // nothing behind outside a transaction: pgjdbc sends BEGIN with the first statement without awaiting its answer,
        // so a BEGIN that fails (a cancel request the network held back) lets that statement run in autocommit
        // (PostgresOutageTest). Were it the state's update, the watermark would pass a page that was never applied.
        Connection c = connection();
        c.setAutoCommit(false);
        boolean committed = false;
        long t0 = System.nanoTime();
        long tStaged = t0;
        long tUpserted = t0;
        try {
            long upserted = 0;
            long straightIn = 0;
            long deleted = 0;
            List<Change> applied = propagateDeletes ? changes : changes.stream().filter(ch -> !ch.delete()).toList();
            if (keyed == null) {
                keyed = hasKey(c);
            }
            boolean keyless = !keyed;
            boolean inserted = !applied.isEmpty() && snapshotCopies && previous.phase() == SyncState.Phase.SNAPSHOT
                    && applied.stream().noneMatch(Change::delete) && insertNew(c, columns, applied, keyless);
            // The key is built once the snapshot's pages are in, or before anything that needs it.
            boolean addsKey = keyless && (next.phase() != SyncState.Phase.SNAPSHOT || !inserted && !applied.isEmpty());
            if (addsKey) {
                addKey(c);
            }
            List<Change> guarded = List.of();
            if (inserted) {
                straightIn = applied.size();
            } else if (!applied.isEmpty()) {
                // Keyed by now. Rows with keys the table lacks go straight in; should one be there after all (another
                // writer), the COPY is undone and the whole page goes the guarded way.
                NewKeys.Split split = newKeys.split(c, columns, applied);
                if (!split.straightIn().isEmpty() && copyIntoTable(c, columns, split.straightIn(), true)) {
                    straightIn = split.straightIn().size();
                    guarded = split.guarded();
                } else {
                    guarded = applied;
                }
            }
            upserted = straightIn;
            long tStraightIn = System.nanoTime();
            tStaged = tStraightIn;
            if (!guarded.isEmpty()) {
                String stage = stage(c, columns, guarded);
                tStaged = System.nanoTime();
                String keys = shape.keyColumns().stream().map(PgNames::quote).collect(Collectors.joining(", "));
                String latest = "(SELECT DISTINCT ON (" + keys + ") * FROM " + stage + " ORDER BY " + keys + ", "
                        + shape.versionColumns().stream().map(v -> PgNames.quote(v) + " DESC").collect(Collectors.joining(", "))
                        + ") s";
                String names = columns.stream().map(CdcColumn::quoted).collect(Collectors.joining(", "));
                String updates = columns.stream().filter(col -> !shape.keyColumns().contains(col.name()))
                        .map(col -> col.quoted() + " = EXCLUDED." + col.quoted() + ", ").collect(Collectors.joining());
                try (Statement s = c.createStatement()) {
                    upserted += s.executeUpdate("INSERT INTO " + table + " AS t (" + names + ", " + PgNames.quote(SYNCED_AT)
                            + ") SELECT " + columns.stream().map(col -> "s." + col.quoted()).collect(Collectors.joining(", "))
                            + ", now() FROM " + latest + " WHERE s." + OP + " = 'U' ON CONFLICT (" + keys + ") DO UPDATE SET "
                            + updates + PgNames.quote(SYNCED_AT) + " = EXCLUDED." + PgNames.quote(SYNCED_AT)
                            + " WHERE " + versions("t") + " < " + versions("EXCLUDED"));
                    if (propagateDeletes && guarded.stream().anyMatch(Change::delete)) {
                        deleted = s.executeUpdate("DELETE FROM " + table + " AS t USING " + latest + " WHERE s." + OP
                                + " = 'D' AND " + shape.keyColumns().stream().map(k -> "t." + PgNames.quote(k) + " = s." + PgNames.quote(k))
                                .collect(Collectors.joining(" AND ")) + " AND " + versions("t") + " <= " + versions("s"));
                    }
                }
            }
            tUpserted = System.nanoTime();
            try (PreparedStatement s = c.prepareStatement("UPDATE " + state + " SET phase = ?, watermark = ?::jsonb, "
                    + "snapshot_after_key = ?::jsonb, generation = ?, rows_upserted = rows_upserted + ?, "
                    + "rows_deleted = rows_deleted + ?, updated_at = now() WHERE sync_name = ? AND generation = ?")) {
                s.setString(1, next.phase().name());
                s.setString(2, text(next.watermark()));
                s.setString(3, text(next.snapshotAfterKey()));
                s.setLong(4, next.generation());
                s.setLong(5, upserted);
                s.setLong(6, deleted);
                s.setString(7, syncName);
                s.setLong(8, previous.generation());
                if (s.executeUpdate() != 1) {
                    throw new FencedSyncException("the state of sync " + syncName + " is no longer at generation "
                            + previous.generation() + ": another replicator of this sync committed");
                }
            }
            long tState = System.nanoTime();
            c.commit();
            committed = true;
            if (addsKey) {
                keyed = true;
            }
            if (LOG.isDebugEnabled()) {
                long tCommit = System.nanoTime();
                LOG.debug("apply: {} rows, {} straight in {} ms, stage {} ms, upsert+delete {} ms, state {} ms, commit {} ms",
                        changes.size(), straightIn, (tStraightIn - t0) / 1_000_000, (tStaged - tStraightIn) / 1_000_000,
                        (tUpserted - tStaged) / 1_000_000,
                        (tState - tUpserted) / 1_000_000, (tCommit - tState) / 1_000_000);
            }
            return new ApplyResult(upserted, deleted, straightIn);
        } finally {
            if (!committed) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the session is likely gone; the server discards the transaction
                }
            }
        }
    }

    private String keyList() {
        return shape.keyColumns().stream().map(PgNames::quote).collect(Collectors.joining(", "));
    }

    /**
     * The primary key of a table the snapshot filled without it, in the caller's transaction. Should the
     * source have held a key twice (a keyed COPY would have refused it and the guarded upsert kept the newest
     * version), the same is done here: the older copies are deleted, then the key is added.
     */
    private void addKey(Connection c) throws SQLException {
        long started = System.nanoTime();
        String add = "ALTER TABLE " + table + " ADD PRIMARY KEY (" + keyList() + ")";
        Savepoint before = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute(add);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
            try (Statement s = c.createStatement()) {
                int removed = s.executeUpdate("DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM (SELECT ctid, "
                        + "row_number() OVER (PARTITION BY " + keyList() + " ORDER BY "
                        + shape.versionColumns().stream().map(v -> PgNames.quote(v) + " DESC").collect(Collectors.joining(", "))
                        + ") AS n FROM " + table + ") d WHERE n > 1)");
                LOG.warn("{}: the source holds some keys more than once; {} older copies were removed, the newest version "
                        + "of each key kept", table, removed);
                s.execute(add);
            }
        }
        LOG.info("{}: primary key ({}) built after the snapshot's pages in {} ms", table, keyList(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private String versions(String alias) {
        return "(" + shape.versionColumns().stream().map(v -> alias + "." + PgNames.quote(v)).collect(Collectors.joining(", ")) + ")";
    }

    /**
     * COPYs the page into a temporary staging table that lives as long as the session and is emptied at
     * every commit ({@code ON COMMIT DELETE ROWS}): creating and dropping one per page cost catalog
     * writes in every transaction. Its name carries a digest of its columns, so a new column gets a new
     * table, and {@code IF NOT EXISTS} makes each transaction self-sufficient (a pooler that hands the
     * next transaction another server session finds or creates its own).
     */
    private String stage(Connection c, List<CdcColumn> columns, List<Change> changes) throws SQLException {
        String definition = OP + " text, " + columns.stream().map(col -> col.quoted() + " " + col.type().pgType())
                .collect(Collectors.joining(", "));
        String name = stageName(definition);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE IF NOT EXISTS " + name + " (" + definition + ") ON COMMIT DELETE ROWS");
        }
        copy.copy(c, "COPY " + name + " (" + OP + ", " + columns.stream().map(CdcColumn::quoted)
                .collect(Collectors.joining(", ")) + ") FROM STDIN (FORMAT binary)", columns, changes, true, null);
        return name;
    }

    /** The staging table's name for a column definition: a prefix and a short digest of the definition. */
    static String stageName(String definition) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(definition.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "\"opl_cdc_stage_" + Long.toHexString(crc.getValue()) + "\"";
    }

    /**
     * A snapshot page straight into the target with one COPY, when none of its keys is there yet:
     * the usual case, as a snapshot fills a new table in key order and each page's keys come after
     * those of the pages before it. Inserting a row whose key is absent is all the guarded upsert
     * would do, so the result is the same. A key that is already there (a table that was not empty,
     * or a source with a duplicate key) fails the COPY with a unique violation; the page then goes
     * the guarded way, and so does every later snapshot page of this process.
     *
     * @return whether the page was inserted
     */
    private boolean insertNew(Connection c, List<CdcColumn> columns, List<Change> changes, boolean keyless)
            throws SQLException {
        if (copyIntoTable(c, columns, changes, !keyless)) {
            return true;
        }
        snapshotCopies = false;
        LOG.info("{} already holds a key of the snapshot: the snapshot goes on with guarded upserts", table);
        return false;
    }

    /**
     * COPYs rows straight into the target, {@code _opl_synced_at} the transaction's {@code now()} as the upsert
     * sets it. On a table with its key, behind a savepoint ({@code undoable}): a key the table already holds fails
     * the COPY, which is then undone.
     *
     * @return false when the table already held one of the keys (nothing copied)
     */
    private boolean copyIntoTable(Connection c, List<CdcColumn> columns, List<Change> changes, boolean undoable)
            throws SQLException {
        Savepoint before = undoable ? c.setSavepoint() : null; // without a key no violation can undo the COPY
        try {
            java.time.Instant now;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT now()")) {
                rs.next();
                now = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            }
            copy.copy(c, "COPY " + table + " (" + columns.stream().map(CdcColumn::quoted).collect(Collectors.joining(", "))
                    + ", " + PgNames.quote(SYNCED_AT) + ") FROM STDIN (FORMAT binary)", columns, changes, false, now);
            if (before != null) {
                c.releaseSavepoint(before);
            }
            return true;
        } catch (SQLException e) {
            if (before == null || !UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
            return false;
        }
    }

    /** The applied state and count + checksum of key + version of the target, read in one snapshot. */
    public record TargetAudit(SyncState state, AuditDigest digest) {
    }

    public record TargetRangeAudit(SyncState state, RangeDigest digest) {
    }

    /**
     * The range audit of the target (see {@link RangeDigest}): the state and the digests from one
     * snapshot, computed by PostgreSQL, so only one row per range leaves it. The audit columns are the
     * key columns followed by the version's partition and offset.
     */
    public TargetRangeAudit auditRanges() throws SQLException {
        Connection c = connection();
        c.setAutoCommit(false);
        try {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            SyncState current = readState(c);
            List<String> keys = shape.keyColumns().stream().map(PgNames::quote).toList();
            List<String> versions = shape.versionColumns();
            if (versions.size() != 2) {
                throw new IllegalStateException("a range audit needs a version of partition and offset, not " + versions);
            }
            RangeDigest digest;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(AuditSql.digest(table, keys,
                    PgNames.quote(versions.get(0)), PgNames.quote(versions.get(1)), null))) {
                digest = RangeDigest.read(rs);
            }
            c.commit();
            return new TargetRangeAudit(current, digest);
        } finally {
            try {
                c.rollback();
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            } catch (SQLException ignored) {
                // broken session: reset() follows
            }
        }
    }

    public TargetAudit audit() throws SQLException {
        Connection c = connection();
        c.setAutoCommit(false);
        try {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            SyncState current = readState(c);
            AuditDigest.Builder digest = new AuditDigest.Builder();
            String columns = shape.auditColumns().stream().map(PgNames::quote).collect(Collectors.joining(", "));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + columns + " FROM " + table)) {
                digest.addAll(rs);
            }
            c.commit();
            return new TargetAudit(current, digest.build());
        } finally {
            try {
                c.rollback();
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            } catch (SQLException ignored) {
                // broken session: reset() follows
            }
        }
    }

    private static JsonNode parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable JSON in " + STATE_TABLE + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.toString();
    }

    public void reset() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken session
            }
            connection = null;
        }
        knownColumns.clear();
        keyed = null;
    }

    @Override
    public void close() {
        reset();
    }
}
