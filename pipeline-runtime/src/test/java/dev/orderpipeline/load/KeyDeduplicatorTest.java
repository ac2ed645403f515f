package dev.orderpipeline.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orderpipeline.warehouse.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyDeduplicatorTest {

    private static Row row(long offset, Object... values) {
        return new Row(values, false, "{}", 0, offset);
    }

    @Test
    void withOneKeyColumnTheLastVersionOfEachKeyWinsInTheOrderKeysFirstAppeared() {
        List<Row> rows = List.of(row(0, 1L, "a"), row(1, 2L, "b"), row(2, 1L, "c"), row(3, 3L, "d"), row(4, 2L, "e"));

        List<Row> kept = KeyDeduplicator.lastWins(rows, new int[] {0});

        assertEquals(List.of(2L, 4L, 3L), kept.stream().map(Row::offset).toList());
    }

    @Test
    void withTwoKeyColumnsRowsAreTheSameKeyOnlyWhenBothPartsAreEqual() {
        List<Row> rows = List.of(row(0, 1L, "x"), row(1, 1L, "y"), row(2, 1L, "x"));

        List<Row> kept = KeyDeduplicator.lastWins(rows, new int[] {0, 1});

        assertEquals(List.of(2L, 1L), kept.stream().map(Row::offset).toList());
    }

    @Test
    void aRowBuiltBeforeTheKeyColumnExistedReadsNullThereAndIsItsOwnKey() {
        List<Row> rows = List.of(row(0, "only"), row(1, "only", 7L), row(2, "other"));

        List<Row> kept = KeyDeduplicator.lastWins(rows, new int[] {1});

        assertEquals(List.of(2L, 1L), kept.stream().map(Row::offset).toList(), "rows without the column share the null key");
    }
}
