package dev.orderpipeline.warehouse;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An estimate of the heap a pending row holds, so that {@code OPL_BATCH_MAX_BYTES} bounds memory rather than
 * wire bytes (a row on the heap is 3–5× its JSON: boxed values, a String per text value, the Kafka key and value
 * bytes kept for the dead-letter topic). Figures are HotSpot's 64-bit layout with compressed oops and class
 * pointers (any heap under 32 GiB, so every loader at its defaults): a 12-byte object header, 4-byte references,
 * a 16-byte array header, every object rounded up to 8 bytes. Cheap by design: one pass over the row's values,
 * no reflection.
 */
public final class HeapSize {
    static final int OBJECT_HEADER = 12;
    static final int ARRAY_HEADER = 16;
    static final int REFERENCE = 4;
    /** A boxed Long or Double: header and an 8-byte value. */
    static final int BOXED_8 = 16;
    /** java.lang.String itself (header, value reference, hash, coder, hashIsZero), without its byte[]. */
    static final int STRING = 24;
    /** A value of a type not listed here (date and time values: their objects and the ones they point to). */
    static final int OTHER_VALUE = 72;
    /** Row: header, values and metadata references, deleted, partition, offset. */
    static final int ROW = align(OBJECT_HEADER + REFERENCE + 1 + REFERENCE + 4 + 8);

    private HeapSize() {
    }

    /** The row, its values and its metadata, plus its slot in the pending batch's list. */
    public static long of(Row row) {
        Object[] values = row.values();
        long size = ROW + referenceArray(values.length) + REFERENCE;
        for (Object value : values) {
            size += value(value);
        }
        return size + row.metadata().heldBytes();
    }

    /** A row value as the converter builds it. */
    public static long value(Object value) {
        if (value == null || value instanceof Boolean) {
            return 0; // Boolean.TRUE and FALSE are shared
        }
        if (value instanceof String s) {
            return string(s);
        }
        if (value instanceof Long || value instanceof Double || value instanceof Integer) {
            return BOXED_8;
        }
        if (value instanceof BigDecimal d) {
            // scale, precision, intCompact, stringCache, intVal; a BigInteger only beyond 64 bits
            long size = align(OBJECT_HEADER + 4 + 4 + 8 + REFERENCE + REFERENCE);
            return d.unscaledValue().bitLength() < 64 ? size : size + bigInteger(d.unscaledValue());
        }
        if (value instanceof BigInteger b) {
            return bigInteger(b);
        }
        return OTHER_VALUE;
    }

    /** A String and its bytes: one byte per char when every char is Latin-1, two otherwise (compact strings). */
    public static long string(String s) {
        int length = s.length();
        int perChar = 1;
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) > 0xFF) {
                perChar = 2;
                break;
            }
        }
        return STRING + byteArray((long) length * perChar);
    }

    /** A byte[] of {@code length}; 0 for an absent array. */
    public static long bytes(byte[] bytes) {
        return bytes == null ? 0 : byteArray(bytes.length);
    }

    static long byteArray(long length) {
        return align(ARRAY_HEADER + length);
    }

    public static long referenceArray(int length) {
        return align(ARRAY_HEADER + (long) REFERENCE * length);
    }

    private static long bigInteger(BigInteger b) {
        // signum, mag, and four cached ints; mag holds 32 bits per int
        return align(OBJECT_HEADER + 4 + REFERENCE + 16) + align(ARRAY_HEADER + 4L * ((b.bitLength() + 31) / 32));
    }

    static long align(long size) {
        return (size + 7) & ~7L;
    }

    static int align(int size) {
        return (size + 7) & ~7;
    }
}
