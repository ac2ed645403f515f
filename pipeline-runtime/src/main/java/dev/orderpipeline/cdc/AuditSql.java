package dev.orderpipeline.cdc;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The range audit's SQL, spelled once for DuckDB, Snowflake and PostgreSQL alike (each has
 * {@code md5}, {@code substr}, {@code ||} and {@code CAST … AS VARCHAR}). The range of a row is the
 * first two hex digits of the MD5 of its key's text: 256 ranges, the same on both sides because a
 * BIGINT or text key has the same text in all three. Keys of other types print differently per
 * database, so the audit falls back to the per-row digest for them.
 */
public final class AuditSql {
    /** How many ranges an audit reports (two hex digits). */
    public static final int RANGES = 256;

    private AuditSql() {
    }

    /** The range of a row, from its (already quoted, possibly qualified) key columns. */
    public static String range(List<String> quotedKeys) {
        return "substr(md5(" + quotedKeys.stream().map(k -> "CAST(" + k + " AS VARCHAR)")
                .collect(Collectors.joining(" || '|' || ")) + "), 1, 2)";
    }

    /**
     * Per range: the count and the sums of the version's two numbers. Sums are taken as DECIMAL(38,0),
     * so millions of offsets never overflow and every database returns an exact number.
     */
    public static String digest(String relation, List<String> quotedKeys, String partition, String offset, String where) {
        return "SELECT " + range(quotedKeys) + " AS \"_OPL_RANGE\", count(*), sum(CAST(" + partition
                + " AS DECIMAL(38,0))), sum(CAST(" + offset + " AS DECIMAL(38,0))) FROM " + relation
                + (where == null ? "" : " WHERE " + where) + " GROUP BY 1 ORDER BY 1";
    }
}
