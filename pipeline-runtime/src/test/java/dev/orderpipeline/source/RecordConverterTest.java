package dev.orderpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.ColumnType;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.warehouse.SqlIdentifier;
import dev.orderpipeline.warehouse.TableShape;
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
    void malformedJsonAndNonObjectsAndBadFieldNamesAreRefused() {
        RecordConverter converter = new RecordConverter(new TableShape(List.of()), List.of());
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"orderid\": 1,", 0)));
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "[1,2]", 0)));
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"a\":1} trailing", 0)));
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"bad name\":1}", 0)));
        assertThrows(RecordConversionException.class, () -> converter.convert(record("1", "{\"_deleted\":true}", 0)));
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
}
