package dev.orderpipeline.cdc.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.SqlIdentifier;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Snowflake stream mode's SQL, checked as text: fakesnow has no streams (CDC.md's compatibility
 * table lists each statement), so these are the statements production sends, exactly.
 */
class SnowflakeStreamSqlTest {
    private final SnowflakeStreamSql sql = new SnowflakeStreamSql(SqlIdentifier.of("ANALYTICS"), SqlIdentifier.of("RAW"),
            SqlIdentifier.of("ORDERS"), SqlIdentifier.of("ORDERS_OPL_STREAM"), SqlIdentifier.of("ORDERS_OPL_STAGE"),
            List.of(SqlIdentifier.of("ORDERID")));

    @Test
    void theStreamIsCreatedOnTheTableWithItsInitialRowsAsTheSnapshot() {
        assertEquals("CREATE STREAM IF NOT EXISTS \"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STREAM\" ON TABLE "
                + "\"ANALYTICS\".\"RAW\".\"ORDERS\" SHOW_INITIAL_ROWS = TRUE", sql.createStream());
        assertEquals("CREATE OR REPLACE STREAM \"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STREAM\" ON TABLE "
                + "\"ANALYTICS\".\"RAW\".\"ORDERS\" SHOW_INITIAL_ROWS = TRUE", sql.recreateStream());
    }

    @Test
    void theStreamIsConsumedByACommittedCreateTransientTableAsSelectIntoTheNextStagingTable() {
        assertEquals("CREATE TRANSIENT TABLE \"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STAGE_7\" AS SELECT * FROM "
                + "\"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STREAM\"", sql.consumeInto(7));
        assertEquals("SELECT SYSTEM$STREAM_HAS_DATA('\"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STREAM\"')", sql.streamHasData());
        assertThrows(IllegalArgumentException.class, () -> sql.consumeInto(0), "staging sequences start at 1");
    }

    @Test
    void updatePairsCollapseToTheirInsertAndALoneDeleteIsADeleteOneRowPerKeyInKeyOrder() {
        String text = sql.collapsedChanges(3, "(\"ORDERID\" > ?)", 500);
        assertEquals("SELECT * EXCLUDE (\"METADATA$ACTION\", \"METADATA$ISUPDATE\", \"METADATA$ROW_ID\"), "
                + "\"METADATA$ACTION\" = 'DELETE' AS \"_OPL_DELETE\" FROM \"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STAGE_3\" "
                + "WHERE (\"ORDERID\" > ?) QUALIFY ROW_NUMBER() OVER (PARTITION BY \"ORDERID\" "
                + "ORDER BY IFF(\"METADATA$ACTION\" = 'INSERT', 0, 1)) = 1 ORDER BY \"ORDERID\" LIMIT 500", text);
        // An update is a DELETE + INSERT pair (METADATA$ISUPDATE = TRUE) of one key: the INSERT ranks first.
        assertTrue(text.contains("PARTITION BY \"ORDERID\" ORDER BY IFF(\"METADATA$ACTION\" = 'INSERT', 0, 1)"));
    }

    @Test
    void stagingTablesAtOrBelowTheAppliedSequenceAreDroppedAndNoOthers() {
        assertEquals("SHOW TABLES LIKE 'ORDERS\\\\_OPL\\\\_STAGE\\\\_%' IN SCHEMA \"ANALYTICS\".\"RAW\"", sql.showStagingTables());
        List<String> shown = List.of("ORDERS_OPL_STAGE_3", "ORDERS_OPL_STAGE_1", "ORDERS_OPL_STAGE_4",
                "ORDERS_OPL_STAGE_5", "ORDERS_OPL_STAGE_X_2", "ORDERS_OPL_STAGE_02", "ORDERS_OPL_STAGEX_1", "OTHER_1");
        assertEquals(List.of("DROP TABLE IF EXISTS \"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STAGE_1\"",
                "DROP TABLE IF EXISTS \"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STAGE_3\"",
                "DROP TABLE IF EXISTS \"ANALYTICS\".\"RAW\".\"ORDERS_OPL_STAGE_4\""), sql.dropsAfterApplied(shown, 4));
        assertEquals(List.of(), sql.dropsAfterApplied(shown, 0));
        assertEquals(OptionalLong.of(12), sql.sequenceOf("ORDERS_OPL_STAGE_12"));
        assertEquals(OptionalLong.empty(), sql.sequenceOf("ORDERS_OPL_STAGE_X_2"));
    }

    @Test
    void aStaleStreamIsRecognisedFromShowStreams() {
        assertEquals("SHOW STREAMS LIKE 'ORDERS_OPL_STREAM' IN SCHEMA \"ANALYTICS\".\"RAW\"", sql.showStream());
        assertTrue(SnowflakeStreamSql.isStale("true"));
        assertTrue(SnowflakeStreamSql.isStale("TRUE"));
        assertFalse(SnowflakeStreamSql.isStale("false"));
        assertFalse(SnowflakeStreamSql.isStale(null));
    }

    @Test
    void theAuditReadsTheKeysOfTheTable() {
        assertEquals("SELECT \"ORDERID\" FROM \"ANALYTICS\".\"RAW\".\"ORDERS\"", sql.auditKeys());
    }
}
