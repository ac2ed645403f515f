package dev.orderpipeline.load;

import dev.orderpipeline.schema.ColumnNaming;
import dev.orderpipeline.schema.ColumnType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real-world JSON that has broken loaders, and exactly what the table holds once it is loaded (the
 * README's "Table layout" states the same rules). Each entry is one record keyed by its {@code id};
 * phase one is committed before phase two, so that a later value meets a column an earlier batch
 * created. To add a case: add an entry with the columns and values it must produce, or the start of
 * the message it must be dead-lettered with.
 */
final class HostileCorpus {
    /**
     * One record: its JSON, the values it leaves in the table (column → exact text), or why it is
     * dead-lettered; {@code key} the record's key bytes, null for the id as text.
     */
    record Entry(long id, int phase, String json, Map<String, String> values, String deadLetterMessage, byte[] key) {
    }

    /** The key of a record a Confluent serializer wrote: magic byte 0, a 4-byte schema id, then the payload. */
    static final byte[] SCHEMA_REGISTRY_KEY = {0, 0, 0, 0, 42, 2, 'k', '1'};
    static final long SCHEMA_REGISTRY_KEY_ID = 20;

    /** Numbers are compared as exact decimals, JSON as parsed trees: every dialect spells them differently. */
    static final String NULL = null;

    final ColumnNaming naming;
    final int maxColumns;
    final List<Entry> entries = new ArrayList<>();
    final Map<String, ColumnType> columns = new LinkedHashMap<>();

    /**
     * @param textHoldsNul whether the dialect's text holds U+0000 (PostgreSQL's does not: such a record is
     *                     dead-lettered naming the column)
     */
    HostileCorpus(int maxNameLength, int maxColumns, boolean textHoldsNul) {
        this.naming = new ColumnNaming(maxNameLength);
        this.maxColumns = maxColumns;
        column("ID", ColumnType.BIGINT);

        // An integer column meets a fraction in a later batch: widened to DECIMAL(38,18) by ALTER, nothing rounded.
        column("UNITS", ColumnType.DECIMAL);
        column("RATIO", ColumnType.DOUBLE);
        loaded(1, 1, "{\"id\":1,\"units\":3,\"ratio\":0.5}", "UNITS", "3", "RATIO", "0.5");
        loaded(2, 2, "{\"id\":2,\"units\":3.5}", "UNITS", "3.5");
        // A numeric string is a number where the column is numeric, converted exactly.
        loaded(3, 2, "{\"id\":3,\"units\":\"4.25\"}", "UNITS", "4.25");

        // Integers beyond 64 bits: DECIMAL while they fit 20 digits, else their exact text.
        column("BIG", ColumnType.DECIMAL);
        column("HUGE", ColumnType.VARCHAR);
        loaded(4, 2, "{\"id\":4,\"big\":18446744073709551616,\"huge\":123456789012345678901234567890}",
                "BIG", "18446744073709551616", "HUGE", "123456789012345678901234567890");

        // A long a double would round never enters a DOUBLE column; one a double holds exactly does.
        deadLettered(5, 2, "{\"id\":5,\"ratio\":9007199254740993}",
                "the value '9007199254740993' does not fit column RATIO of type DOUBLE: a double would round it");
        loaded(6, 2, "{\"id\":6,\"ratio\":9007199254740992}", "RATIO", "9007199254740992");

        // High-precision decimals: exact in DECIMAL(38,18), or as text past 18 decimals.
        column("AMOUNT", ColumnType.DECIMAL);
        column("PRECISE", ColumnType.VARCHAR);
        loaded(7, 2, "{\"id\":7,\"amount\":12345678901234567.89,\"precise\":0.1234567890123456789012}",
                "AMOUNT", "12345678901234567.89", "PRECISE", "0.1234567890123456789012");

        // Colliding flattened names: the flatter field keeps A_B, the nested one gets A_B_<hash of /a/b>, in
        // every later record too.
        String nestedAb = suffixed("a", "b");
        column("A_B", ColumnType.BIGINT);
        column(nestedAb, ColumnType.BIGINT);
        loaded(8, 2, "{\"id\":8,\"a\":{\"b\":2},\"a_b\":1}", "A_B", "1", nestedAb, "2");
        loaded(9, 2, "{\"id\":9,\"a\":{\"b\":3}}", nestedAb, "3");

        // Invalid characters become _, a leading digit gets a leading _, reserved names a suffix; two names
        // that differ only in case: the smaller JSON Pointer ("/Name") keeps NAME.
        column("ORDER_ID", ColumnType.VARCHAR);
        column("_TIMESTAMP", ColumnType.VARCHAR);
        column("_1ST", ColumnType.BOOLEAN);
        column("UNIT_PRICE", ColumnType.BIGINT);
        column(suffixed("_deleted"), ColumnType.VARCHAR);
        column(suffixed("RECORD_METADATA"), ColumnType.VARCHAR);
        column(suffixed("_kafka_offset"), ColumnType.BIGINT);
        loaded(10, 2, "{\"id\":10,\"order-id\":\"x\",\"@timestamp\":\"2024-01-01T00:00:00Z\",\"1st\":true,"
                        + "\"unit price\":1,\"_deleted\":\"no\",\"RECORD_METADATA\":\"m\",\"_kafka_offset\":7}",
                "ORDER_ID", "x", "_TIMESTAMP", "2024-01-01T00:00:00Z", "_1ST", "true", "UNIT_PRICE", "1",
                suffixed("_deleted"), "no", suffixed("RECORD_METADATA"), "m", suffixed("_kafka_offset"), "7");
        column("NAME", ColumnType.VARCHAR);
        column(suffixed("name"), ColumnType.VARCHAR);
        loaded(11, 2, "{\"id\":11,\"name\":\"lower\",\"Name\":\"upper\"}", "NAME", "upper", suffixed("name"), "lower");

        // More fields than the table may have columns: dead-lettered, and none of its columns is added.
        StringBuilder wide = new StringBuilder("{\"id\":12");
        for (int i = 0; i < maxColumns; i++) {
            wide.append(",\"f").append(i).append("\":1");
        }
        deadLettered(12, 2, wide.append('}').toString(), "the record would add " + maxColumns + " columns");

        // Empty string and null are different; a field that is only ever null makes no column.
        column("NOTE", ColumnType.VARCHAR);
        loaded(13, 2, "{\"id\":13,\"note\":\"\"}", "NOTE", "");
        loaded(14, 2, "{\"id\":14,\"note\":null,\"never\":null}");

        // Deep nesting: PARENT_CHILD all the way down, shortened with a hash where the dialect's names end.
        List<String> deepPath = new ArrayList<>();
        StringBuilder deep = new StringBuilder("{\"id\":15,");
        for (int level = 1; level < 40; level++) {
            deep.append("\"l").append(level).append("\":{");
            deepPath.add("l" + level);
        }
        deepPath.add("l40");
        deep.append("\"l40\":\"deep\"").append("}".repeat(39)).append('}');
        String deepColumn = naming.preferred(deepPath).name();
        column(deepColumn, ColumnType.VARCHAR);
        loaded(15, 2, deep.toString(), deepColumn, "deep");

        // Arrays are JSON (VARIANT on Snowflake), nested objects inside them kept whole.
        column("TAGS", ColumnType.VARIANT);
        column("EMPTY", ColumnType.VARIANT);
        loaded(16, 2, "{\"id\":16,\"tags\":[\"a\",1,{\"b\":null}],\"empty\":[]}",
                "TAGS", "[\"a\",1,{\"b\":null}]", "EMPTY", "[]");

        // Unicode: values exact; in names every non-ASCII code point is _.
        column("CITT_", ColumnType.VARCHAR);
        column("EMOJI__", ColumnType.VARCHAR);
        loaded(17, 2, "{\"id\":17,\"città\":\"Zürich \uD83D\uDE80 日本語\",\"emoji_\uD83D\uDE00\":\"ok\"}",
                "CITT_", "Zürich \uD83D\uDE80 日本語", "EMOJI__", "ok");

        // U+0000 inside a string: kept where the dialect's text holds it, else dead-lettered naming the column.
        if (textHoldsNul) {
            loaded(19, 2, "{\"id\":19,\"note\":\"nul\\u0000inside\"}", "NOTE", "nul\u0000inside");
        } else {
            deadLettered(19, 2, "{\"id\":19,\"note\":\"nul\\u0000inside\"}",
                    "column NOTE: PostgreSQL cannot store the character U+0000");
        }

        // A Schema-Registry-framed key (starts with byte 0) loads; RECORD_METADATA carries it as Base64.
        entries.add(new Entry(SCHEMA_REGISTRY_KEY_ID, 2, "{\"id\":20,\"note\":\"framed key\"}",
                Map.of("ID", "20", "NOTE", "framed key"), null, SCHEMA_REGISTRY_KEY));

        // A dead-lettered record adds no column (NEWCOL), even when its other fields were fine.
        deadLettered(18, 2, "{\"id\":18,\"newcol\":1,\"ratio\":\"oops\"}",
                "the value 'oops' does not fit column RATIO of type DOUBLE");
    }

    String suffixed(String... path) {
        return naming.suffixed(List.of(path)).name();
    }

    private void column(String name, ColumnType type) {
        columns.put(name, type);
    }

    private void loaded(long id, int phase, String json, String... columnValues) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("ID", Long.toString(id));
        for (int i = 0; i < columnValues.length; i += 2) {
            values.put(columnValues[i], columnValues[i + 1]);
        }
        entries.add(new Entry(id, phase, json, values, null, null));
    }

    private void deadLettered(long id, int phase, String json, String messageStart) {
        entries.add(new Entry(id, phase, json, null, messageStart, null));
    }
}
