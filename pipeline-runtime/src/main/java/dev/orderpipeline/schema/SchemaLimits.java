package dev.orderpipeline.schema;

import dev.orderpipeline.config.Setting;

/**
 * How many columns the target table may have (metadata columns included) and how long a column name
 * may be, as the dialect allows or {@code OPL_SINK_MAX_COLUMNS} caps it.
 */
public record SchemaLimits(int maxColumns, int maxNameLength) {
    /** PostgreSQL refuses a 1,601st column. */
    public static final int POSTGRES_MAX_COLUMNS = 1600;
    /** A guard against a stream whose field names are data (ids as keys), where the dialect sets no limit. */
    public static final int DEFAULT_MAX_COLUMNS = 10_000;
    /** SqlIdentifier's own limit, and Snowflake's. */
    public static final int DEFAULT_MAX_NAME_LENGTH = 255;

    public static final SchemaLimits DEFAULT = new SchemaLimits(DEFAULT_MAX_COLUMNS, DEFAULT_MAX_NAME_LENGTH);

    /** The same limits with the column cap a user configured, when one is set. */
    public SchemaLimits cappedAt(java.util.OptionalInt configured) {
        return configured.isPresent() ? new SchemaLimits(configured.getAsInt(), maxNameLength) : this;
    }

    /** The setting that caps the column count, for error messages. */
    public static String capSetting() {
        return Setting.SINK_MAX_COLUMNS.envName();
    }
}
