package dev.orderpipeline.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
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

    @Test
    void aTemporalValueConvertsExactlyToTheMicrosecondOrIsRefusedNeverRounded() throws Exception {
        Instant micros = Instant.parse("2025-12-02T06:04:23.123456Z");
        assertEquals(micros, SchemaPolicy.convert(ColumnType.TIMESTAMP, micros, "AT"));
        assertEquals(micros, SchemaPolicy.convert(ColumnType.TIMESTAMP, "2025-12-02T07:04:23.123456+01:00", "AT"),
                "RFC 3339 text with its offset (JSON Schema date-time)");
        assertEquals(micros, SchemaPolicy.convert(ColumnType.TIMESTAMP, "2025-12-02 06:04:23.123456Z", "AT"));
        assertEquals(LocalDateTime.parse("2025-12-02T06:04:23.000001"),
                SchemaPolicy.convert(ColumnType.TIMESTAMP_LOCAL, "2025-12-02T06:04:23.000001", "AT"));
        assertEquals(LocalDate.parse("0001-01-01"), SchemaPolicy.convert(ColumnType.DATE, "0001-01-01", "DAY"));
        assertEquals(LocalTime.parse("23:59:59.999999"), SchemaPolicy.convert(ColumnType.TIME, LocalTime.parse("23:59:59.999999"), "T"));
        assertEquals("2025-12-02T06:04:23.123456Z", SchemaPolicy.convert(ColumnType.VARCHAR, micros, "AT"),
                "a column made as text before keeps the ISO-8601 text it always had");
        assertEquals("\"2025-12-02\"", SchemaPolicy.convert(ColumnType.VARIANT, LocalDate.parse("2025-12-02"), "D"),
                "inside JSON a date is a JSON string");

        assertEquals("the value '2025-12-02T06:04:23.123456789Z' does not fit column AT of type TIMESTAMP: TIMESTAMP "
                        + "holds instants of the years 1 to 9999 to the microsecond, as text only ISO-8601 with an offset "
                        + "(2026-12-02T06:04:23.123456Z)",
                assertThrows(NotConvertibleException.class, () -> SchemaPolicy.convert(ColumnType.TIMESTAMP,
                        Instant.parse("2025-12-02T06:04:23.123456789Z"), "AT")).getMessage());
        assertThrows(NotConvertibleException.class,
                () -> SchemaPolicy.convert(ColumnType.TIMESTAMP, "2025-12-02T06:04:23", "AT"), "no offset: not an instant");
        assertThrows(NotConvertibleException.class,
                () -> SchemaPolicy.convert(ColumnType.TIMESTAMP, Instant.parse("+10000-01-01T00:00:00Z"), "AT"));
        assertThrows(NotConvertibleException.class,
                () -> SchemaPolicy.convert(ColumnType.TIMESTAMP, 1_764_655_463_123L, "AT"), "a number has no unit");
        assertThrows(NotConvertibleException.class,
                () -> SchemaPolicy.convert(ColumnType.DATE, LocalDateTime.parse("2025-12-02T00:00:00"), "DAY"));
        assertThrows(NotConvertibleException.class, () -> SchemaPolicy.convert(ColumnType.DATE, "02/12/2025", "DAY"));
        assertThrows(NotConvertibleException.class,
                () -> SchemaPolicy.convert(ColumnType.DATE, LocalDate.parse("0000-12-31"), "DAY"));
    }

    @Test
    void aTemporalColumnTakesOnlyItsOwnTypeFromANewSchemaVersion() {
        assertEquals(ColumnType.TIMESTAMP, SchemaPolicy.forDeclared(ColumnType.TIMESTAMP, ColumnType.TIMESTAMP));
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.forDeclared(ColumnType.VARCHAR, ColumnType.TIMESTAMP),
                "a column made as text before the temporal types keeps its text");
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.TIMESTAMP, ColumnType.VARCHAR), "a timestamp become a string");
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.TIMESTAMP, ColumnType.BIGINT));
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.DATE, ColumnType.TIMESTAMP));
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.TIMESTAMP, ColumnType.TIMESTAMP_LOCAL));
        assertEquals(null, SchemaPolicy.forDeclared(ColumnType.BIGINT, ColumnType.TIMESTAMP));
        assertEquals(ColumnType.TIMESTAMP, SchemaPolicy.join(ColumnType.TIMESTAMP, ColumnType.VARCHAR), "never widens");
        assertEquals(ColumnType.VARCHAR, SchemaPolicy.infer("2025-12-02T06:04:23Z"), "schemaless text is never guessed a date");
        assertEquals(ColumnType.TIMESTAMP, SchemaPolicy.infer(Instant.EPOCH));
        assertEquals(true, SchemaPolicy.isNative(ColumnType.DATE, LocalDate.parse("2025-12-02")));
        assertEquals(false, SchemaPolicy.isNative(ColumnType.TIMESTAMP, "2025-12-02T06:04:23Z"));
    }
}
