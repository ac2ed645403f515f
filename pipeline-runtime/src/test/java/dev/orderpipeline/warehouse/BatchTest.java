package dev.orderpipeline.warehouse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a batch's key columns sit among its columns. */
class BatchTest {
    private static final List<Column> COLUMNS = List.of(
            new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT),
            new Column(SqlIdentifier.of("ITEMID"), ColumnType.VARCHAR),
            new Column(SqlIdentifier.of("REGION"), ColumnType.VARCHAR));

    private static Batch keyedBy(String... keys) {
        return new Batch("orders", "orders", COLUMNS, List.of(keys).stream().map(SqlIdentifier::of).toList(),
                List.of(), Map.of(), 0L);
    }

    @Test
    void keyIndexesFollowTheKeysOrderNotTheColumnsOrder() {
        Batch batch = keyedBy("REGION", "ORDERID");
        assertArrayEquals(new int[] {2, 0}, batch.keyIndexes());
        assertEquals(List.of(COLUMNS.get(2), COLUMNS.get(0)), batch.keys());
        assertTrue(batch.upsert());
    }

    @Test
    void anAppendBatchHasNoKeys() {
        Batch batch = keyedBy();
        assertArrayEquals(new int[0], batch.keyIndexes());
        assertEquals(List.of(), batch.keys());
    }

    @Test
    void aKeyThatIsNoColumnIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> keyedBy("CUSTOMERID").keyIndexes());
        assertTrue(e.getMessage().contains("CUSTOMERID"), e.getMessage());
    }
}
