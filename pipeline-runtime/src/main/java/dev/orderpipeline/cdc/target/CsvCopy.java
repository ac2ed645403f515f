package dev.orderpipeline.cdc.target;

import dev.orderpipeline.cdc.CdcType;
import dev.orderpipeline.cdc.Change;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows sent to {@code COPY … FROM STDIN (FORMAT csv)} in chunks of about 64 KiB, so that the server
 * parses one chunk while the next is encoded (a whole page as one string would serialize the two).
 */
final class CsvCopy {
    private static final int CHUNK = 1 << 16;

    private CsvCopy() {
    }

    /**
     * Copies {@code changes}, each row led by its operation ({@code U} or {@code D}) when
     * {@code withOp}, and ended by {@code trailing} (a constant field in COPY's CSV text) when not null.
     */
    static void copy(Connection c, String sql, List<Change> changes, boolean withOp, String trailing) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            StringBuilder csv = new StringBuilder(CHUNK + 4096);
            for (Change change : changes) {
                boolean first = true;
                if (withOp) {
                    csv.append(change.delete() ? 'D' : 'U');
                    first = false;
                }
                for (Object value : change.values()) {
                    if (!first) {
                        csv.append(',');
                    }
                    first = false;
                    CdcType.appendCsv(csv, value);
                }
                if (trailing != null) {
                    csv.append(',').append(trailing);
                }
                csv.append('\n');
                if (csv.length() >= CHUNK) {
                    write(copy, csv);
                }
            }
            write(copy, csv);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // the COPY already failed on the server; its error is the one thrown
                }
            }
        }
    }

    private static void write(CopyIn copy, StringBuilder csv) throws SQLException {
        if (csv.length() > 0) {
            byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            csv.setLength(0);
        }
    }
}
