package dev.orderpipeline.cdc;

import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The drift audit computed by each database itself: the live rows are cut into {@link AuditSql#RANGES}
 * ranges by the hash of their key, and each side returns, per range, the row count and the sums of the
 * version's partition and offset. So an audit moves a few hundred rows out of each database instead of
 * every key, and a difference names the ranges it is in. A missing or extra row changes a count, a row
 * at another version a sum; two drifts that cancel exactly within one range go unseen (the per-row hash
 * of {@link AuditDigest} remains for modes whose version is not a pair of numbers).
 */
public record RangeDigest(SortedMap<String, Range> ranges) {

    /** One hash range: its live rows, and the sums of their partitions and offsets. */
    public record Range(long rows, BigInteger partitions, BigInteger offsets) {
    }

    /** Reads rows of (range, count, sum of partitions, sum of offsets), from either side. */
    public static RangeDigest read(ResultSet rs) throws SQLException {
        SortedMap<String, Range> ranges = new TreeMap<>();
        while (rs.next()) {
            ranges.put(rs.getString(1), new Range(rs.getLong(2), big(rs, 3), big(rs, 4)));
        }
        return new RangeDigest(ranges);
    }

    private static BigInteger big(ResultSet rs, int column) throws SQLException {
        java.math.BigDecimal d = rs.getBigDecimal(column);
        return d == null ? BigInteger.ZERO : d.toBigIntegerExact();
    }

    public long rows() {
        return ranges.values().stream().mapToLong(Range::rows).sum();
    }

    /** The ranges whose digests differ, in order. */
    public List<String> differingRanges(RangeDigest other) {
        TreeMap<String, Boolean> all = new TreeMap<>();
        ranges.keySet().forEach(k -> all.put(k, true));
        other.ranges.keySet().forEach(k -> all.put(k, true));
        List<String> differing = new ArrayList<>();
        for (String range : all.keySet()) {
            Range a = ranges.get(range);
            Range b = other.ranges.get(range);
            if (a == null || !a.equals(b)) {
                differing.add(range);
            }
        }
        return differing;
    }

    /** Count and one checksum over every range, for the same fields on /status as the per-row audit. */
    public AuditDigest summary() {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Range> e : ranges.entrySet()) {
            s.append(e.getKey()).append(':').append(e.getValue().rows()).append(':').append(e.getValue().partitions())
                    .append(':').append(e.getValue().offsets()).append('\u001f');
        }
        return new AuditDigest(rows(), AuditDigest.hash(s));
    }
}
