package dev.orderpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.schema.ColumnNaming;
import dev.orderpipeline.schema.SchemaLimits;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.warehouse.TableShape;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordConverterTest {
    static final String ORDER = "{\"ordertime\":1497014222380,\"orderid\":18,\"itemid\":\"Item_184\",\"orderunits\":3.5,"
            + "\"address\":{\"city\":\"City_1\",\"state\":\"State_2\",\"zipcode\":12345}}";

    static ConsumerRecord<byte[], byte[]> record(String key, String value, long offset) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("source", "datagen".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("orders", 3, offset, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    static Object value(TableShape shape, Row row, String column) {
        return row.value(shape.indexOf(SqlIdentifier.of(column)).orElseThrow());
    }

    @Test
    void nestedObjectsAreFlattenedAsParentChildWithTypesInferred() throws Exception {
        TableShape shape = new TableShape(List.of());
        Row row = new RecordConverter(shape, List.of("orderid")).convert(record("18", ORDER, 7));
        assertEquals(List.of(
                new Column(SqlIdentifier.of("ORDERTIME"), ColumnType.BIGINT),
                new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT),
                new Column(SqlIdentifier.of("ITEMID"), ColumnType.VARCHAR),
                new Column(SqlIdentifier.of("ORDERUNITS"), ColumnType.DOUBLE),
                new Column(SqlIdentifier.of("ADDRESS_CITY"), ColumnType.VARCHAR),
                new Column(SqlIdentifier.of("ADDRESS_STATE"), ColumnType.VARCHAR),
                new Column(SqlIdentifier.of("ADDRESS_ZIPCODE"), ColumnType.BIGINT)), shape.snapshot());
        assertEquals(12345L, value(shape, row, "ADDRESS_ZIPCODE"));
        assertEquals(3.5, value(shape, row, "ORDERUNITS"));
        assertEquals("{\"topic\":\"orders\",\"partition\":3,\"offset\":7,\"timestamp\":1700000000000,\"key\":\"18\","
                + "\"headers\":{\"source\":\"datagen\"}}", row.recordMetadataJson());
    }

    /**
     * A pending row holds its record's headers until the batch commits: a record without any keeps no headers object
     * of its own (every such row shares one empty array), one with headers keeps them for RECORD_METADATA and the
     * dead-letter topic.
     */
    @Test
    void aRecordWithoutHeadersKeepsNoHeadersObjectWhileItsRowIsPending() throws Exception {
        RecordConverter converter = new RecordConverter(new TableShape(List.of()), List.of("orderid"));
        ConsumerRecord<byte[], byte[]> bare = new ConsumerRecord<>("orders", 3, 8, "18".getBytes(StandardCharsets.UTF_8),
                ORDER.getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> alsoBare = new ConsumerRecord<>("orders", 3, 9, "18".getBytes(StandardCharsets.UTF_8),
                ORDER.getBytes(StandardCharsets.UTF_8));
        KafkaRecordMetadata first = (KafkaRecordMetadata) converter.convert(bare).metadata();
        KafkaRecordMetadata second = (KafkaRecordMetadata) converter.convert(alsoBare).metadata();
        assertEquals(0, first.headers().length);
        assertSame(first.headers(), second.headers(), "one shared empty array, not one per row");
        assertTrue(first.json().endsWith("\"headers\":{}}"), first.json());

        KafkaRecordMetadata withHeader = (KafkaRecordMetadata) converter.convert(record("18", ORDER, 10)).metadata();
        assertEquals(1, withHeader.headers().length);
        assertEquals("source", withHeader.headers()[0].key());
    }

    /**
     * Pending rows that repeat a text value share one String (fewer objects for the young collections to copy),
     * and every value still reads exactly as its record wrote it: escapes, non-ASCII text, text that shares a hash
     * slot with another, and text too long to be shared.
     */
    @Test
    void rowsRepeatingATextValueShareOneStringAndEveryValueStaysExact() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        Row first = converter.convert(record("1", "{\"city\":\"Zürich\",\"note\":\"a\\\"b\"}", 0));
        Row second = converter.convert(record("2", "{\"city\":\"Zürich\",\"note\":\"Aa\"}", 1));
        Row third = converter.convert(record("3", "{\"city\":\"Zürich\",\"note\":\"BB\"}", 2)); // "BB" hashes as "Aa"
        String longText = "x".repeat(RepeatedText.MAX_LENGTH + 1);
        Row fourth = converter.convert(record("4", "{\"city\":\"" + longText + "\",\"note\":\"Aa\"}", 3));
        Row fifth = converter.convert(record("5", "{\"city\":\"" + longText + "\"}", 4));

        assertEquals("Zürich", value(shape, first, "CITY"));
        assertSame(value(shape, first, "CITY"), value(shape, second, "CITY"), "one String for the repeated city");
        assertSame(value(shape, first, "CITY"), value(shape, third, "CITY"));
        assertEquals("a\"b", value(shape, first, "NOTE"));
        assertEquals("Aa", value(shape, second, "NOTE"));
        assertEquals("BB", value(shape, third, "NOTE"));
        assertEquals("Aa", value(shape, fourth, "NOTE"));
        assertEquals(longText, value(shape, fourth, "CITY"));
        assertEquals(longText, value(shape, fifth, "CITY"));
        assertNotSame(value(shape, fourth, "CITY"), value(shape, fifth, "CITY"), "long text is not kept for sharing");
    }

    @Test
    void aNewFieldAddsAColumnAndEarlierRowsReadNullThere() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        Row before = converter.convert(record("1", "{\"orderid\":1}", 0));
        Row after = converter.convert(record("2", "{\"orderid\":2,\"channel\":\"web\",\"tags\":[\"a\",1]}", 1));
        assertEquals(3, shape.size());
        assertNull(value(shape, before, "CHANNEL"));
        assertEquals("web", value(shape, after, "CHANNEL"));
        assertEquals(ColumnType.VARIANT, shape.column(2).type());
        assertEquals("[\"a\",1]", value(shape, after, "TAGS"));
    }

    @Test
    void aTombstoneCarriesItsKeyFromTheRecordKeyAndIsMarkedDeleted() throws Exception {
        TableShape shape = new TableShape(List.of(new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT)));
        Row row = new RecordConverter(shape, List.of("orderid")).convert(record("42", null, 9));
        assertTrue(row.deleted());
        assertEquals(42L, value(shape, row, "ORDERID"));
    }

    @Test
    void lossyValuesAreRefusedNamingTheColumn() {
        TableShape shape = new TableShape(List.of(new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT)));
        RecordConverter converter = new RecordConverter(shape, List.of());
        RecordConversionException e = assertThrows(RecordConversionException.class,
                () -> converter.convert(record("1", "{\"orderid\":\"eighteen\"}", 0)));
        assertEquals("the value 'eighteen' does not fit column ORDERID of type BIGINT", e.getMessage());
    }

    @Test
    void malformedJsonAndNonObjectsAreRefused() {
        RecordConverter converter = new RecordConverter(new TableShape(List.of()), List.of());
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"orderid\": 1,", 0)));
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "[1,2]", 0)));
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"a\":1} trailing", 0)));
    }

    @Test
    void aRefusedRecordLeavesNothingHalfReadForTheNextRecord() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        List<String> refused = List.of("{\"a\":1} 5", "{\"a\":1} tru", "{\"a\":1}{\"a\":9}", "{\"a\":", "{\"a\"",
                "{\"a\":[1,[2", "{\"a\":\"unterminated", "{\"a\":12", "5", "", "   ", "\"text\"");
        long offset = 0;
        for (String value : refused) {
            RecordConversionException e = assertThrows(RecordConversionException.class,
                    () -> converter.convert(record("1", value, 0)), value);
            assertTrue(e.getMessage().startsWith("the record value "), e.getMessage());
            Row next = converter.convert(record("2", "{\"a\":" + ++offset + ",\"b\":[" + offset + ",\"x\"]}\n ", offset));
            assertEquals(offset, value(shape, next, "A"), "after " + value);
            assertEquals("[" + offset + ",\"x\"]", value(shape, next, "B"), "after " + value);
        }
        assertEquals("the record value is not valid JSON: it ends before its object closes",
                assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"a\":{\"b\":1}", 0)))
                        .getMessage());
        assertEquals("the record value has data after its JSON object",
                assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"a\":1} 5", 0)))
                        .getMessage());
    }

    @Test
    void aUtf8ByteOrderMarkBeforeTheObjectIsSkippedInEveryRecordNotOnlyTheFirst() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        for (long i = 0; i < 4; i++) {
            String value = (i % 2 == 0 ? "\uFEFF" : "") + "{\"a\":" + i + "} ";
            assertEquals(i, value(shape, converter.convert(record("1", value, i)), "A"));
        }
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "\uFEFF{\"a\":1} 5", 9)));
        assertEquals(7L, value(shape, converter.convert(record("1", "\uFEFF{\"a\":7}", 10)), "A"));
    }

    @Test
    void aJsonValueInUtf16IsRefusedAsInvalidJsonNotMisread() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        for (java.nio.charset.Charset utf16 : List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE)) {
            ConsumerRecord<byte[], byte[]> wide = new ConsumerRecord<>("orders", 0, 0, "1".getBytes(StandardCharsets.UTF_8),
                    "{\"a\":1}".getBytes(utf16));
            RecordConversionException e = assertThrows(RecordConversionException.class, () -> converter.convert(wide));
            assertTrue(e.getMessage().startsWith("the record value is not"), e.getMessage());
        }
        assertEquals(0, shape.size());
        assertEquals(2L, value(shape, converter.convert(record("1", "{\"a\":2}", 1)), "A"));
    }

    @Test
    void aConverterRenewingItsParserEveryTenThousandRecordsKeepsEachRecordsOwnValues() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        int records = 2 * JsonValueReader.RECORDS_PER_PARSER + 7;
        for (int i = 0; i < records; i++) {
            // a new field name now and then: names seen by one parser must not leak into another's values
            String extra = i % 997 == 0 ? ",\"f" + i + "\":\"v" + i + "\"" : "";
            Row row = converter.convert(record(Integer.toString(i), "{\"orderid\":" + i + ",\"item\":\"Item_" + i + "\"" + extra + "}", i));
            assertEquals((long) i, value(shape, row, "ORDERID"));
            assertEquals("Item_" + i, value(shape, row, "ITEM"));
            if (!extra.isEmpty()) {
                assertEquals("v" + i, value(shape, row, "F" + i));
            }
        }
    }

    @Test
    void fieldNamesWithInvalidCharactersOrReservedNamesGetSafeColumnsInsteadOfRefusingTheRecord() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        Row row = converter.convert(record("1", "{\"order-id\":1,\"@timestamp\":\"t\",\"bad name\":2,\"_deleted\":true,"
                + "\"_kafka_offset\":5}", 0));
        ColumnNaming naming = new ColumnNaming(255);
        assertEquals(1L, value(shape, row, "ORDER_ID"));
        assertEquals("t", value(shape, row, "_TIMESTAMP"));
        assertEquals(2L, value(shape, row, "BAD_NAME"));
        assertEquals(true, value(shape, row, naming.suffixed(List.of("_deleted")).name()));
        assertEquals(5L, value(shape, row, naming.suffixed(List.of("_kafka_offset")).name()));
        assertEquals(5, shape.size());
    }

    @Test
    void collidingFlattenedNamesGetTwoColumnsTheSameWhateverTheFieldOrder() throws Exception {
        for (String json : List.of("{\"a_b\":1,\"a\":{\"b\":2}}", "{\"a\":{\"b\":2},\"a_b\":1}")) {
            TableShape shape = new TableShape(List.of());
            Row row = new RecordConverter(shape, List.of()).convert(record("1", json, 0));
            assertEquals(1L, value(shape, row, "A_B"), json);
            assertEquals(2L, value(shape, row, new ColumnNaming(255).suffixed(List.of("a", "b")).name()), json);
        }
    }

    @Test
    void aRestartedConverterSendsTheCollisionsLoserToTheColumnItHadBefore() throws Exception {
        SqlIdentifier loser = new ColumnNaming(255).suffixed(List.of("a", "b"));
        TableShape shape = new TableShape(List.of(new Column(SqlIdentifier.of("A_B"), ColumnType.BIGINT),
                new Column(loser, ColumnType.BIGINT)));
        Row row = new RecordConverter(shape, List.of()).convert(record("1", "{\"a\":{\"b\":7}}", 0));
        assertNull(row.value(0));
        assertEquals(7L, row.value(1));
    }

    @Test
    void anIntegerColumnWidensToAnExactDecimalWhenAFractionArrives() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of());
        Row first = converter.convert(record("1", "{\"units\":3}", 0));
        assertEquals(ColumnType.BIGINT, shape.column(0).type());
        Row second = converter.convert(record("2", "{\"units\":3.5}", 1));
        assertEquals(ColumnType.DECIMAL, shape.column(0).type());
        assertEquals(3L, first.value(0), "converted to the column's type when the batch is written");
        assertEquals(new BigDecimal("3.500000000000000000"), second.value(0));
    }

    @Test
    void integersBeyond64BitsAndHighPrecisionDecimalsKeepTheirExactValue() throws Exception {
        TableShape shape = new TableShape(List.of());
        Row row = new RecordConverter(shape, List.of()).convert(record("1",
                "{\"big\":18446744073709551616,\"amount\":12345678901234567.89,\"precise\":0.1234567890123456789012}", 0));
        assertEquals(ColumnType.DECIMAL, shape.column(0).type());
        assertEquals(0, new BigDecimal("18446744073709551616").compareTo((BigDecimal) row.value(0)));
        assertEquals(ColumnType.DECIMAL, shape.column(1).type());
        assertEquals(0, new BigDecimal("12345678901234567.89").compareTo((BigDecimal) row.value(1)));
        assertEquals(ColumnType.VARCHAR, shape.column(2).type());
        assertEquals("0.1234567890123456789012", row.value(2));
    }

    @Test
    void aRefusedRecordAddsNoColumnAndWidensNothing() {
        TableShape shape = new TableShape(List.of(new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT),
                new Column(SqlIdentifier.of("RATIO"), ColumnType.DOUBLE)));
        RecordConverter converter = new RecordConverter(shape, List.of());
        assertThrows(RecordConversionException.class,
                () -> converter.convert(record("1", "{\"channel\":\"web\",\"orderid\":\"eighteen\"}", 0)));
        assertThrows(RecordConversionException.class,
                () -> converter.convert(record("1", "{\"orderid\":1.5,\"ratio\":\"oops\"}", 0)));
        assertEquals(List.of(new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT),
                new Column(SqlIdentifier.of("RATIO"), ColumnType.DOUBLE)), shape.snapshot());
    }

    @Test
    void aLongThatADoubleWouldRoundIsRefusedByADoubleColumn() {
        TableShape shape = new TableShape(List.of(new Column(SqlIdentifier.of("RATIO"), ColumnType.DOUBLE)));
        RecordConversionException e = assertThrows(RecordConversionException.class, () -> new RecordConverter(shape, List.of())
                .convert(record("1", "{\"ratio\":9007199254740993}", 0)));
        assertEquals("the value '9007199254740993' does not fit column RATIO of type DOUBLE: a double would round it",
                e.getMessage());
    }

    @Test
    void aRecordThatWouldPassTheColumnCapIsRefusedNamingTheSettingAndAddsNoColumn() throws Exception {
        TableShape shape = new TableShape(List.of());
        RecordConverter converter = new RecordConverter(shape, List.of(),
                new SchemaLimits(MetadataColumns.ALL.size() + 2, 255));
        RecordConversionException e = assertThrows(RecordConversionException.class,
                () -> converter.convert(record("1", "{\"a\":1,\"b\":2,\"c\":3}", 0)));
        assertTrue(e.getMessage().contains("OPL_SINK_MAX_COLUMNS"), e.getMessage());
        assertEquals(0, shape.size());
        converter.convert(record("2", "{\"a\":1,\"b\":2}", 1));
        assertEquals(2, shape.size());
    }

    @Test
    void anUpsertRecordWithoutItsKeyFieldIsRefused() {
        RecordConverter converter = new RecordConverter(new TableShape(List.of()), List.of("orderid"));
        RecordConversionException e = assertThrows(RecordConversionException.class,
                () -> converter.convert(record("1", "{\"itemid\":\"x\"}", 0)));
        assertEquals("the upsert key field 'orderid' is missing or null", e.getMessage());
    }

    @Test
    void integersWidenIntoADoubleColumnAndScalarsIntoText() throws Exception {
        TableShape shape = new TableShape(List.of(new Column(SqlIdentifier.of("UNITS"), ColumnType.DOUBLE),
                new Column(SqlIdentifier.of("NOTE"), ColumnType.VARCHAR)));
        Row row = new RecordConverter(shape, List.of()).convert(record("1", "{\"units\":3,\"note\":12}", 0));
        assertEquals(3.0, row.value(0));
        assertEquals("12", row.value(1));
    }

    @Test
    void recordMetadataEscapesKeysAndHeadersAsJsonAndWritesAbsentOnesAsNull() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace \"id\"", "a\\b\n".getBytes(StandardCharsets.UTF_8));
        headers.add("empty", null);
        ConsumerRecord<byte[], byte[]> withHeaders = new ConsumerRecord<>("orders.v1", 0, 5, 1L, TimestampType.CREATE_TIME,
                -1, -1, "k\"1".getBytes(StandardCharsets.UTF_8), "{\"orderid\":1}".getBytes(StandardCharsets.UTF_8),
                headers, Optional.empty());
        ConsumerRecord<byte[], byte[]> keyless = new ConsumerRecord<>("orders.v1", 0, 6, null,
                "{\"orderid\":2}".getBytes(StandardCharsets.UTF_8));
        RecordConverter converter = new RecordConverter(new TableShape(List.of()), List.of());

        assertEquals("{\"topic\":\"orders.v1\",\"partition\":0,\"offset\":5,\"timestamp\":1,\"key\":\"k\\\"1\","
                + "\"headers\":{\"trace \\\"id\\\"\":\"a\\\\b\\n\",\"empty\":null}}",
                converter.convert(withHeaders).recordMetadataJson());
        assertEquals("{\"topic\":\"orders.v1\",\"partition\":0,\"offset\":6,\"timestamp\":-1,\"key\":null,\"headers\":{}}",
                converter.convert(keyless).recordMetadataJson());
    }

    @Test
    void schemalessJsonNeverGuessesADateFromTextItsTimestampsStayText() throws Exception {
        TableShape shape = new TableShape(List.of());
        Row row = new RecordConverter(shape, List.of()).convert(record(null,
                "{\"at\":\"2025-12-02T06:04:23.123456Z\",\"day\":\"2026-12-02\"}", 1));
        assertEquals(List.of(new Column(SqlIdentifier.of("AT"), ColumnType.VARCHAR),
                new Column(SqlIdentifier.of("DAY"), ColumnType.VARCHAR)), shape.snapshot());
        assertEquals("2025-12-02T06:04:23.123456Z", value(shape, row, "AT"));
    }
}
