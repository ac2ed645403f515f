package dev.orderpipeline.cdc.source;

import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.warehouse.DuckDbSessions;
import dev.orderpipeline.warehouse.SnowflakeSessions;
import dev.orderpipeline.config.SqlIdentifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How the replicator reaches a warehouse and spells the few expressions that differ per dialect.
 * Identifiers are validated {@link SqlIdentifier}s, always quoted.
 */
public abstract class WarehouseDialect {

    /** Opens a session. */
    public abstract Connection connect() throws SQLException;

    /** The table's qualified, quoted name. */
    public abstract String table(SqlIdentifier table);

    /** A BIGINT field of the RECORD_METADATA column (JSON text on DuckDB, VARIANT on Snowflake). */
    public abstract String metadataField(String alias, String field);

    /**
     * A query for a cheap sign that the table changed (a value that moves with every commit to it), or
     * null when the dialect has none worth asking: DuckDB reads cost no warehouse.
     */
    public String changeMarkerQuery(SqlIdentifier table) {
        return null;
    }

    /** Whether reads run on a warehouse billed while it runs (Snowflake), for the cost estimate on /status. */
    public boolean billedWarehouse() {
        return false;
    }

    /** Whether a session should be closed at the end of every read cycle. */
    public boolean releaseBetweenCycles() {
        return false;
    }

    public abstract String name();

    public static WarehouseDialect of(SinkConfig sink, boolean duckDbReadOnly, String syncName) {
        if (sink instanceof SinkConfig.DuckDb duck) {
            return new DuckDb(duck, duckDbReadOnly);
        }
        return new Snowflake((SinkConfig.Snowflake) sink, syncName);
    }

    /**
     * DuckDB allows one read-write process per file. A replicator in its own process opens the file
     * read-only and only for the length of a read cycle; in the loader's process (the demo) it shares
     * the open database.
     */
    static final class DuckDb extends WarehouseDialect {
        private final SinkConfig.DuckDb config;
        private final boolean readOnly;

        DuckDb(SinkConfig.DuckDb config, boolean readOnly) {
            this.config = config;
            this.readOnly = readOnly;
        }

        @Override
        public Connection connect() throws SQLException {
            Properties p = new Properties();
            if (readOnly) {
                p.put("duckdb.read_only", "true");
            }
            return DuckDbSessions.open(config.path(), p, config.memoryLimit());
        }

        @Override
        public String table(SqlIdentifier table) {
            return config.schema().quoted() + "." + table.quoted();
        }

        @Override
        public String metadataField(String alias, String field) {
            return "CAST(json_extract_string(" + alias + ".\"RECORD_METADATA\", '$." + field + "') AS BIGINT)";
        }

        @Override
        public boolean releaseBetweenCycles() {
            return readOnly;
        }

        @Override
        public String name() {
            return "duckdb";
        }
    }

    static final class Snowflake extends WarehouseDialect {
        private final SinkConfig.Snowflake config;
        private final String syncName;

        Snowflake(SinkConfig.Snowflake config, String syncName) {
            this.config = config;
            this.syncName = syncName;
        }

        @Override
        public Connection connect() throws SQLException {
            return SnowflakeSessions.open(config, "orderpipeline-cdc:" + syncName);
        }

        @Override
        public String table(SqlIdentifier table) {
            return config.database().quoted() + "." + config.schema().quoted() + "." + table.quoted();
        }

        @Override
        public String metadataField(String alias, String field) {
            return alias + ".\"RECORD_METADATA\":" + field + "::BIGINT";
        }

        /**
         * LAST_ALTERED moves with every DML on the table, even one that changes no row, and with
         * background metadata work (Snowflake's TABLES view docs): false alarms only, never a missed
         * commit. Names are validated identifiers (letters, digits, _ and $), so they are safe as literals.
         */
        @Override
        public String changeMarkerQuery(SqlIdentifier table) {
            return "SELECT LAST_ALTERED FROM " + config.database().quoted() + ".INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = '"
                    + config.schema().name() + "' AND TABLE_NAME = '" + table.name() + "'";
        }

        @Override
        public boolean billedWarehouse() {
            return true;
        }

        @Override
        public String name() {
            return "snowflake";
        }

        public SinkConfig.Snowflake config() {
            return config;
        }
    }
}
