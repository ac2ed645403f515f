package dev.orderpipeline.cdc;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Row count and an order-independent checksum of key + version over the live rows of one side: the
 * sum (mod 2^64) of a 64-bit hash of each row's canonical key and version text.
 */
public record AuditDigest(long rows, long checksum) {

    public static final class Builder {
        private long rows;
        private long checksum;

        public void add(Object... keyAndVersion) {
            StringBuilder s = new StringBuilder();
            for (Object v : keyAndVersion) {
                s.append(CdcType.canonical(v)).append('\u001f');
            }
            rows++;
            checksum += hash(s);
        }

        /** Adds every row of a result whose columns are a key and its version, whichever side it comes from. */
        public Builder addAll(ResultSet rs) throws SQLException {
            int n = rs.getMetaData().getColumnCount();
            CdcType[] types = new CdcType[n];
            for (int i = 0; i < n; i++) {
                types[i] = CdcType.of(rs.getMetaData(), i + 1);
            }
            while (rs.next()) {
                Object[] values = new Object[n];
                for (int i = 0; i < n; i++) {
                    values[i] = types[i].read(rs, i + 1);
                }
                add(values);
            }
            return this;
        }

        public AuditDigest build() {
            return new AuditDigest(rows, checksum);
        }
    }

    /** FNV-1a over the UTF-16 units, finished with SplitMix64's mixer. */
    static long hash(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    public String checksumHex() {
        return String.format("%016x", checksum);
    }
}
