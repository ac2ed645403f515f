package dev.orderpipeline.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.config.SqlIdentifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ColumnNamingTest {
    final ColumnNaming naming = new ColumnNaming(255);

    String preferred(String... path) {
        return naming.preferred(List.of(path)).name();
    }

    @Test
    void invalidCharactersBecomeUnderscoresAndANameStartsWithALetterOrUnderscore() {
        assertEquals("ORDER_ID", preferred("order-id"));
        assertEquals("_TIMESTAMP", preferred("@timestamp"));
        assertEquals("_1ST", preferred("1st"));
        assertEquals("UNIT_PRICE", preferred("unit price"));
        assertEquals("A_B", preferred("a.b"));
        assertEquals("CITT_", preferred("città"));
        assertEquals("EMOJI__", preferred("emoji_\uD83D\uDE00"), "one underscore per code point");
        assertEquals("_", preferred(""));
        assertEquals("ADDRESS_CITY", preferred("address", "city"));
        assertEquals("PRICE$", preferred("price$"));
    }

    @Test
    void theSuffixIsAStableHashOfTheFieldsJsonPointer() {
        SqlIdentifier nested = naming.suffixed(List.of("a", "b"));
        assertTrue(nested.name().matches("A_B_[0-9A-F]{8}"), nested.name());
        assertEquals(nested, new ColumnNaming(255).suffixed(List.of("a", "b")), "the same in every loader");
        assertNotEquals(nested, naming.suffixed(List.of("a_b")));
        assertNotEquals(nested, naming.suffixed(List.of("a.b")), "a dotted field name is not a nested path");
        assertEquals("/a~1b/c~0d", ColumnNaming.pointer(List.of("a/b", "c~d")));
    }

    @Test
    void aNameLongerThanTheDialectAllowsKeepsItsHeadAndEndsInAHash() {
        ColumnNaming postgres = new ColumnNaming(63);
        List<String> deep = java.util.stream.IntStream.rangeClosed(1, 30).mapToObj(i -> "level" + i).toList();
        String name = postgres.preferred(deep).name();
        assertEquals(63, name.length());
        assertTrue(name.startsWith("LEVEL1_LEVEL2_LEVEL3_"), name);
        assertTrue(name.matches(".*_[0-9A-F]{8}"), name);
        assertTrue(postgres.suffixed(deep).name().length() <= 63);
    }

    @Test
    void metadataAndKafkaNamesAreReserved() {
        assertTrue(ColumnNaming.isReserved(SqlIdentifier.of("RECORD_METADATA")));
        assertTrue(ColumnNaming.isReserved(SqlIdentifier.of("_DELETED")));
        assertTrue(ColumnNaming.isReserved(SqlIdentifier.of("_KAFKA_ANYTHING")));
        assertFalse(ColumnNaming.isReserved(SqlIdentifier.of("KAFKA_OFFSET")));
    }

    @Test
    void ofTwoFieldsOfOneRecordTheFlatterThenTheVerbatimThenTheSmallerPointerKeepsTheName() {
        ColumnClaims claims = new ColumnClaims(naming, List.of());
        assertTrue(ColumnClaims.PRECEDENCE.compare(List.of("a_b"), List.of("a", "b")) < 0);
        assertTrue(ColumnClaims.PRECEDENCE.compare(List.of("order_id"), List.of("order-id")) < 0);
        assertTrue(ColumnClaims.PRECEDENCE.compare(List.of("Name"), List.of("name")) < 0);
        SqlIdentifier first = claims.resolve(List.of("a_b"), n -> false, Map.of());
        SqlIdentifier second = claims.resolve(List.of("a", "b"), n -> false, Map.of(first, List.of("a_b")));
        assertEquals("A_B", first.name());
        assertEquals(naming.suffixed(List.of("a", "b")), second);
    }

    @Test
    void aPathWhoseSuffixedColumnIsInTheTableUsesItAfterARestart() {
        ColumnClaims restarted = new ColumnClaims(naming, List.of());
        SqlIdentifier loser = naming.suffixed(List.of("a", "b"));
        assertEquals(loser, restarted.resolve(List.of("a", "b"), loser::equals, Map.of()));
        assertEquals("A_B", restarted.resolve(List.of("a_b"), loser::equals, Map.of()).name());
    }

    @Test
    void theUpsertKeyAlwaysOwnsItsName() {
        ColumnClaims claims = new ColumnClaims(naming, List.of(List.of("orderid")));
        assertEquals(naming.suffixed(List.of("OrderId")), claims.resolve(List.of("OrderId"), n -> false, Map.of()));
        assertEquals("ORDERID", claims.resolve(List.of("orderid"), n -> false, Map.of()).name());
    }
}
