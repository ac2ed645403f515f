package dev.orderpipeline.source;

/**
 * Text values that records repeat (a status, a city, a currency, an item code) as one String each, shared by every
 * row that holds them, instead of a new String and its byte array per value. A pending row stays alive through
 * several young collections, each of which copies every object it holds: with the bench's orders (three text
 * fields of 50-1,000 distinct values) the DuckDB loader's collections took 13-25 % less time and it loaded 5-10 %
 * more records a second (pipeline-tools/BENCH.md, "Repeated text shared"). One slot per hash: a value that misses
 * costs a comparison and takes the slot, so text that never repeats (ids, names) is only as dear as before.
 * Used for JSON text as the parser reads it and for the text values the registry formats decode.
 * Not thread-safe: one per converter, on the poll thread.
 */
final class RepeatedText {
    /** Longer text is rarely repeated and dearer to compare: it is always a new String. */
    static final int MAX_LENGTH = 64;
    private static final int SLOTS = 4096;
    private final String[] slots = new String[SLOTS];

    /** The text of {@code chars[offset, offset + length)}: the String this reader returned last for it, if in its slot. */
    String of(char[] chars, int offset, int length) {
        if (length > MAX_LENGTH) {
            return new String(chars, offset, length);
        }
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + chars[i];
        }
        int slot = slotOf(hash);
        String cached = slots[slot];
        if (cached != null && sameText(cached, chars, offset, length)) {
            return cached;
        }
        String text = new String(chars, offset, length);
        slots[slot] = text;
        return text;
    }

    /**
     * A decoded text value (Avro, JSON Schema, Protobuf): the String this reader returned last for the same text, if
     * in its slot. The decoder's own String then dies young instead of living as long as its pending row. Slots are
     * those of {@link #of(char[], int, int)}: String's hash is the same sum.
     */
    String of(String text) {
        if (text.length() > MAX_LENGTH) {
            return text;
        }
        int slot = slotOf(text.hashCode());
        String cached = slots[slot];
        if (cached != null && cached.equals(text)) {
            return cached;
        }
        slots[slot] = text;
        return text;
    }

    private static int slotOf(int hash) {
        return (hash ^ (hash >>> 12)) & (SLOTS - 1);
    }

    private static boolean sameText(String text, char[] chars, int offset, int length) {
        if (text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (text.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
