package dev.orderpipeline.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orderpipeline.warehouse.ColumnType;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class SchemaPolicyTest {
    static BigDecimal d(String text) {
        return new BigDecimal(text);
    }

    @Test
    void aNewColumnTakesTheNarrowestTypeThatHoldsItsFirstValueExactly() {
        assertEquals(ColumnType.BIGINT, SchemaPolicy.infer(3L));
        assertEquals(ColumnType.DOUBLE, SchemaPolicy.infer(d("3.5")));
        assertEquals(ColumnType.DOUBLE, SchemaPolicy.infer(d("1.5e-300")));
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.infer(d("18446744073709551616")), "2^64: beyond 64 bits");
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.infer(d("12345678901234567.89")), "a double would round it");
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.infer(d("0.1234567890123456789012")), "22 decimals: kept as text");
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.infer(d("123456789012345678901234567890")), "30 digits: kept as text");
        assertEquals(ColumnType.BOOLEAN, SchemaPolicy.infer(true));
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.infer(""));
        assertEquals(ColumnType.VARIANT, SchemaPolicy.infer(new JsonText("[1]")));
    }

    @Test
    void onlyAnIntegerColumnWidensAndOnlyToDecimal() {
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.join(ColumnType.BIGINT, ColumnType.DOUBLE));
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.join(ColumnType.BIGINT, ColumnType.DECIMAL));
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.join(ColumnType.DECIMAL, ColumnType.BIGINT));
        assertEquals(ColumnType.DOUBLE, SchemaPolicy.join(ColumnType.DOUBLE, ColumnType.DECIMAL));
        assertEquals(ColumnType.DOUBLE, SchemaPolicy.join(ColumnType.DOUBLE, ColumnType.BIGINT));
        assertEquals(ColumnType.BIGINT, SchemaPolicy.join(ColumnType.BIGINT, ColumnType.VARCHAR), "never to text by itself");
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.join(ColumnType.VARCHAR, ColumnType.BIGINT));
        assertEquals(ColumnType.BOOLEAN, SchemaPolicy.join(ColumnType.BOOLEAN, ColumnType.BIGINT));
    }

    @Test
    void valuesConvertExactlyToTheColumnsTypeOrAreRefusedSayingWhy() throws Exception {
        assertEquals(d("3.000000000000000000"), SchemaPolicy.convert(ColumnType.DECIMAL, 3L, "U"));
        assertEquals(d("0.150000000000000000"), SchemaPolicy.convert(ColumnType.DECIMAL, 0.15, "U"));
        assertEquals(d("9223372036854775807.000000000000000000"), SchemaPolicy.convert(ColumnType.DECIMAL, Long.MAX_VALUE, "U"));
        assertEquals(3L, SchemaPolicy.convert(ColumnType.BIGINT, d("3.0"), "U"));
        assertEquals(42L, SchemaPolicy.convert(ColumnType.BIGINT, " 42 ", "U"));
        assertEquals(1152921504606846976.0, SchemaPolicy.convert(ColumnType.DOUBLE, 1L << 60, "U"), "2^60 is a double exactly");
        assertEquals("18446744073709551616", SchemaPolicy.convert(ColumnType.VARCHAR, d("18446744073709551616"), "U"));
        assertEquals("\"a\\\"b\"", SchemaPolicy.convert(ColumnType.VARIANT, "a\"b", "U"));

        assertEquals("the value '9007199254740993' does not fit column U of type DOUBLE: a double would round it",
                assertThrows(NotConvertibleException.class,
                        () -> SchemaPolicy.convert(ColumnType.DOUBLE, 9_007_199_254_740_993L, "U")).getMessage());
        assertEquals("the value '3.5' does not fit column U of type BIGINT: it is not a 64-bit integer",
                assertThrows(NotConvertibleException.class,
                        () -> SchemaPolicy.convert(ColumnType.BIGINT, d("3.5"), "U")).getMessage());
        assertEquals("the value '1.0E-20' does not fit column U of type DECIMAL: DECIMAL(38,18) holds 20 digits before "
                        + "the point and 18 after it",
                assertThrows(NotConvertibleException.class,
                        () -> SchemaPolicy.convert(ColumnType.DECIMAL, 1.0e-20, "U")).getMessage());
        assertEquals("the value 'n/a' does not fit column U of type BIGINT",
                assertThrows(NotConvertibleException.class, () -> SchemaPolicy.convert(ColumnType.BIGINT, "n/a", "U"))
                        .getMessage());
        assertThrows(NotConvertibleException.class, () -> SchemaPolicy.convert(ColumnType.BOOLEAN, 1L, "U"));
    }

    @Test
    void aValueAlreadyInItsColumnsJavaTypeNeedsNoConversion() {
        assertEquals(true, SchemaPolicy.isNative(ColumnType.DECIMAL, d("1.000000000000000000")));
        assertEquals(false, SchemaPolicy.isNative(ColumnType.DECIMAL, d("1")));
        assertEquals(false, SchemaPolicy.isNative(ColumnType.DECIMAL, 1L));
        assertEquals(true, SchemaPolicy.isNative(ColumnType.BIGINT, null));
    }

    @Test
    void aDeclaredTypeKeepsWidensOrIsRefusedByTheSameLatticeAsValues() {
        assertEquals(ColumnType.BIGINT, SchemaPolicy.forDeclared(ColumnType.BIGINT, ColumnType.BIGINT), "int to long");
        assertEquals(ColumnType.DOUBLE, SchemaPolicy.forDeclared(ColumnType.DOUBLE, ColumnType.DOUBLE), "float to double");
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.forDeclared(ColumnType.BIGINT, ColumnType.DECIMAL));
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.forDeclared(ColumnType.BIGINT, ColumnType.DOUBLE));
        assertEquals(ColumnType.DECIMAL, SchemaPolicy.forDeclared(ColumnType.DECIMAL, ColumnType.BIGINT));
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.forDeclared(ColumnType.VARCHAR, ColumnType.BIGINT), "text holds it exactly");
        assertEquals(ColumnType.VARIANT, SchemaPolicy.forDeclared(ColumnType.VARIANT, ColumnType.BOOLEAN));
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.forDeclared(ColumnType.VARCHAR, ColumnType.VARIANT),
                "an array as its JSON text, as DuckDB's VARIANT columns hold it");
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.DOUBLE, ColumnType.VARCHAR), "a double field become a string");
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.BIGINT, ColumnType.BOOLEAN));
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.DOUBLE, ColumnType.BIGINT), "a double rounds big integers");
    }
}
