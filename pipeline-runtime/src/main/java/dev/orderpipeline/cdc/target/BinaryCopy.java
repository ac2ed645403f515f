package dev.orderpipeline.cdc.target;

import dev.orderpipeline.cdc.CdcColumn;
import dev.orderpipeline.cdc.Change;
import dev.orderpipeline.warehouse.PgBinaryCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A page sent to {@code COPY … FROM STDIN (FORMAT binary)} with the loader's encoder ({@link PgBinaryCopy}),
 * in chunks of about 64 KiB so that the server stores one chunk while the next is encoded. Numbers, dates
 * and timestamps go as the server's own integers, which it neither formats nor parses (text COPY cost three
 * timestamp parses a row). One per target session; its buffer is reused from page to page.
 */
final class BinaryCopy {
    private final PgBinaryCopy out = new PgBinaryCopy();

    /**
     * Copies {@code changes} in the order of {@code columns}, each row led by its operation ({@code U} or
     * {@code D}) when {@code withOp}, and ended by {@code syncedAt} when it is not null.
     */
    void copy(Connection c, String sql, List<CdcColumn> columns, List<Change> changes, boolean withOp, Instant syncedAt)
            throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            int fields = columns.size() + (withOp ? 1 : 0) + (syncedAt != null ? 1 : 0);
            out.begin(copy);
            for (Change change : changes) {
                out.beginRow(fields);
                if (withOp) {
                    out.writeText(change.delete() ? "D" : "U", "_opl_op");
                }
                Object[] values = change.values();
                for (int i = 0; i < values.length; i++) {
                    CdcColumn column = columns.get(i);
                    column.type().writeBinary(out, values[i], column.name());
                }
                if (syncedAt != null) {
                    out.writeTimestamp(syncedAt);
                }
            }
            out.end();
        } finally {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // the COPY already failed on the server (or in encoding); that error is the one thrown
                }
            }
        }
    }
}
