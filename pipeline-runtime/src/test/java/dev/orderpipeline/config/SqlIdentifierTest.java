package dev.orderpipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlIdentifierTest {
    @ParameterizedTest
    @ValueSource(strings = {"orders; drop table x", "a\"b", "1abc", "", "a b", "a-b", "x'--", "ñ"})
    void hostileOrMalformedNamesAreRefused(String name) {
        assertThrows(IllegalArgumentException.class, () -> SqlIdentifier.of(name));
    }

    @Test
    void namesAreFoldedToUpperCaseAsSnowflakeFoldsUnquotedNamesAndAlwaysQuoted() {
        assertEquals("\"ORDER_ITEMS$1\"", SqlIdentifier.of("order_items$1").quoted());
    }
}
