package dev.orderpipeline.cdc.source;

import dev.orderpipeline.config.SqlIdentifier;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The SQL of Snowflake {@code stream} mode, in one place. fakesnow has no streams, so this text is
 * tested as text (and listed in the README's Snowflake compatibility table); production runs it as is.
 *
 * <p>A standard STREAM on the table is consumed only by a committed DML statement, so each read
 * moves the stream's changes into a new transient table {@code <prefix>_<seq>} with CTAS: the stream
 * advances exactly when the staging table exists. The replicator applies staging table {@code seq}
 * to PostgreSQL with the watermark {@code seq} in one transaction, and drops the staging tables up
 * to the applied sequence afterwards. A staging table that exists above the applied sequence after a
 * crash is applied again, never read from the stream again.
 */
public final class SnowflakeStreamSql {
    public static final String DELETE_FLAG = "_OPL_DELETE";
    private final String namespace;
    private final SqlIdentifier table;
    private final SqlIdentifier stream;
    private final SqlIdentifier stagingPrefix;
    private final List<SqlIdentifier> keys;

    public SnowflakeStreamSql(SqlIdentifier database, SqlIdentifier schema, SqlIdentifier table, SqlIdentifier stream,
                              SqlIdentifier stagingPrefix, List<SqlIdentifier> keys) {
        this.namespace = database.quoted() + "." + schema.quoted();
        this.table = table;
        this.stream = stream;
        this.stagingPrefix = stagingPrefix;
        this.keys = List.copyOf(keys);
    }

    /** SHOW_INITIAL_ROWS: the first consumption returns every row as an INSERT, which is the snapshot. */
    public String createStream() {
        return "CREATE STREAM IF NOT EXISTS " + namespace + "." + stream.quoted() + " ON TABLE " + namespace + "."
                + table.quoted() + " SHOW_INITIAL_ROWS = TRUE";
    }

    /** The stream's qualified, quoted name, for messages. */
    public String streamName() {
        return namespace + "." + stream.quoted();
    }

    /** Returns one row; its {@code "stale"} column is true once the stream outlived the table's retention. */
    public String showStream() {
        return "SHOW STREAMS LIKE '" + stream.name() + "' IN SCHEMA " + namespace;
    }

    /** The stream's name in the string argument, quoted parts and all, so that its case is kept. */
    public String streamHasData() {
        return "SELECT SYSTEM$STREAM_HAS_DATA('" + namespace + "." + stream.quoted() + "')";
    }

    /** Whether a SHOW STREAMS row's {@code stale} column says the stream can no longer be read. */
    public static boolean isStale(String staleColumn) {
        return staleColumn != null && "true".equalsIgnoreCase(staleColumn.trim());
    }

    /** The sequence of a staging table, from its name as SHOW TABLES prints it; empty for any other table. */
    public OptionalLong sequenceOf(String tableName) {
        String prefix = stagingPrefix.name() + "_";
        if (tableName == null || !tableName.startsWith(prefix)) {
            return OptionalLong.empty();
        }
        String suffix = tableName.substring(prefix.length());
        return suffix.matches("[1-9][0-9]{0,17}") ? OptionalLong.of(Long.parseLong(suffix)) : OptionalLong.empty();
    }

    /**
     * The DROPs due once staging sequence {@code applied} is committed in PostgreSQL: every staging
     * table at or below it (leftovers of earlier crashes included), none above (not applied yet).
     */
    public List<String> dropsAfterApplied(List<String> tableNames, long applied) {
        return tableNames.stream().map(this::sequenceOf).filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong)
                .filter(seq -> seq <= applied).sorted().mapToObj(this::dropStaging).toList();
    }

    public SqlIdentifier stagingTable(long seq) {
        if (seq < 1) {
            throw new IllegalArgumentException("staging sequence starts at 1");
        }
        return SqlIdentifier.of(stagingPrefix.name() + "_" + seq);
    }

    /** Consumes the stream: a committed CTAS advances the stream's offset. */
    public String consumeInto(long seq) {
        return "CREATE TRANSIENT TABLE " + namespace + "." + stagingTable(seq).quoted() + " AS SELECT * FROM "
                + namespace + "." + stream.quoted();
    }

    /** Lists the staging tables (name in the {@code "name"} column); '_' is escaped so it is no wildcard. */
    public String showStagingTables() {
        return "SHOW TABLES LIKE '" + stagingPrefix.name().replace("_", "\\\\_") + "\\\\_%' IN SCHEMA " + namespace;
    }

    public String dropStaging(long seq) {
        return "DROP TABLE IF EXISTS " + namespace + "." + stagingTable(seq).quoted();
    }

    /**
     * One staging table's changes, one row per key: an update arrives as a DELETE + INSERT pair with
     * METADATA$ISUPDATE = TRUE and collapses to its INSERT (the new values); a lone DELETE is a
     * delete. {@code afterKeyCondition} is a keyset condition with bind markers (or TRUE).
     */
    public String collapsedChanges(long seq, String afterKeyCondition, int limit) {
        String keyList = keys.stream().map(SqlIdentifier::quoted).collect(Collectors.joining(", "));
        return "SELECT * EXCLUDE (\"METADATA$ACTION\", \"METADATA$ISUPDATE\", \"METADATA$ROW_ID\"), "
                + "\"METADATA$ACTION\" = 'DELETE' AS \"" + DELETE_FLAG + "\" FROM " + namespace + "."
                + stagingTable(seq).quoted() + " WHERE " + afterKeyCondition
                + " QUALIFY ROW_NUMBER() OVER (PARTITION BY " + keyList
                + " ORDER BY IFF(\"METADATA$ACTION\" = 'INSERT', 0, 1)) = 1 ORDER BY " + keyList + " LIMIT " + limit;
    }

    /** The documented re-snapshot after a stale stream: recreate it; the replicator then reloads the target. */
    public String recreateStream() {
        return "CREATE OR REPLACE STREAM " + namespace + "." + stream.quoted() + " ON TABLE " + namespace + "."
                + table.quoted() + " SHOW_INITIAL_ROWS = TRUE";
    }

    public String auditKeys() {
        return "SELECT " + keys.stream().map(SqlIdentifier::quoted).collect(Collectors.joining(", ")) + " FROM "
                + namespace + "." + table.quoted();
    }
}
