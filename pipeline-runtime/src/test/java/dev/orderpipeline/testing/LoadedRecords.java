package dev.orderpipeline.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** What a loader left in a PostgreSQL table, told apart by each row's Kafka coordinates in RECORD_METADATA. */
public final class LoadedRecords {
    private LoadedRecords() {
    }

    /** Every record is in {@code table}, and none twice (an append-only table shows a second load as a second row). */
    public static void assertEachOnce(EmbeddedPostgres pg, String table, long records) throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT (\"RECORD_METADATA\"->>'partition') || '@' "
                     + "|| (\"RECORD_METADATA\"->>'offset')) FROM \"" + table + "\"")) {
            rs.next();
            assertEquals(records, rs.getLong(1), "every record loaded");
            assertEquals(records, rs.getLong(2), "and none twice");
        }
    }
}
