package dev.orderpipeline.warehouse;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLDataException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL's binary COPY format written into one reused buffer and handed to the server in chunks: numbers
 * go as their 8 bytes instead of digits the server parses again, text as its UTF-8 bytes without escaping,
 * dates and times as the server's own integers. One per session, used by one thread at a time; the buffer
 * stays allocated between batches so that staging a batch allocates nothing per row for ASCII text. The
 * loader's PostgreSQL sink stages with it, and the replicator writes its pages with it.
 */
public final class PgBinaryCopy {
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final int CHUNK = 64 << 10;
    private byte[] buffer = new byte[CHUNK + 4096];
    private int length;
    private CopyIn copy;
    /** 2000-01-01, PostgreSQL's epoch for dates and timestamps, as days since 1970-01-01. */
    private static final long PG_EPOCH_DAY = 10_957;
    private static final long PG_EPOCH_MICROS = PG_EPOCH_DAY * 86_400_000_000L;
    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

    /** Starts a COPY … FROM STDIN (FORMAT binary) that this writer fills. */
    public void begin(CopyIn copyIn) {
        this.copy = copyIn;
        length = 0;
        put(HEADER, 0, HEADER.length);
    }

    public void beginRow(int fields) throws SQLException {
        if (length >= CHUNK) {
            flush();
        }
        ensure(2);
        buffer[length++] = (byte) (fields >>> 8);
        buffer[length++] = (byte) fields;
    }

    public void writeNull() {
        writeInt(-1);
    }

    public void writeLong(long value) {
        ensure(12);
        writeInt(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[length++] = (byte) (value >>> shift);
        }
    }

    public void writeDouble(double value) {
        writeLong(Double.doubleToRawLongBits(value));
    }

    public void writeBoolean(boolean value) {
        ensure(5);
        writeInt(1);
        buffer[length++] = (byte) (value ? 1 : 0);
    }

    /**
     * Text as UTF-8. PostgreSQL's text types cannot hold U+0000 at all (JSONB refuses it too): refused here, by
     * column, with SQLState 22P05 (untranslatable character), a data error, so that the loader isolates the row
     * and dead-letters it instead of retrying the batch. Replacing the character would change the value silently.
     */
    public void writeText(CharSequence value, String column) throws SQLDataException {
        writeText(value, column, -1);
    }

    /** Text led by one byte ({@code prefix}) when it is not negative. */
    private void writeText(CharSequence value, String column, int prefix) throws SQLDataException {
        int chars = value.length();
        ensure(5 + chars);
        int lengthAt = length;
        length += 4;
        if (prefix >= 0) {
            buffer[length++] = (byte) prefix;
        }
        int i = 0;
        for (; i < chars; i++) { // ASCII, the common case, byte by byte without an intermediate array
            char ch = value.charAt(i);
            if (ch >= 0x80) {
                break;
            }
            if (ch == 0) {
                throw nul(column);
            }
            buffer[length++] = (byte) ch;
        }
        if (i < chars) {
            String rest = value.subSequence(i, chars).toString();
            if (rest.indexOf('\0') >= 0) {
                throw nul(column);
            }
            byte[] bytes = rest.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            put(bytes, 0, bytes.length);
        }
        putInt(lengthAt, length - lengthAt - 4);
    }

    /** A {@code jsonb} value: its format version (1) and its text, which the server parses. */
    public void writeJsonb(CharSequence value, String column) throws SQLDataException {
        writeText(value, column, 1);
    }

    /** A {@code date}: days since 2000-01-01. */
    public void writeDate(LocalDate value) {
        ensure(8);
        writeInt(4);
        writeInt(Math.toIntExact(value.toEpochDay() - PG_EPOCH_DAY));
    }

    /** A {@code time}: microseconds since midnight, rounded as PostgreSQL rounds a text value. */
    public void writeTime(LocalTime value) {
        writeLong(micros(value.toNanoOfDay()));
    }

    /** A {@code timestamp}: its wall-clock value as microseconds since 2000-01-01 00:00. */
    public void writeTimestamp(LocalDateTime value) {
        writeLong(timestampMicros(value));
    }

    /** A {@code timestamp}'s binary value, for one written many times ({@link #writeLong}). */
    public static long timestampMicros(LocalDateTime value) {
        return Math.multiplyExact(value.toLocalDate().toEpochDay(), 86_400_000_000L) - PG_EPOCH_MICROS
                + micros(value.toLocalTime().toNanoOfDay());
    }

    /**
     * A {@code timestamp} from epoch milliseconds, as UTC wall-clock time. A value whose microseconds do not fit
     * 64 bits is refused here with PostgreSQL's own SQLState for a timestamp out of range (22008), a data error;
     * the server refuses the rest of what lies past its range (4714 BC to 294276 AD) with the same state.
     */
    public void writeTimestampFromEpochMillis(long epochMillis, String column) throws SQLDataException {
        long micros;
        try {
            micros = Math.subtractExact(Math.multiplyExact(epochMillis, 1000L), PG_EPOCH_MICROS);
        } catch (ArithmeticException e) {
            throw new SQLDataException("column " + column + ": " + epochMillis + " ms since 1970 is past the range of a "
                    + "PostgreSQL timestamp (the loader sends such a record to the dead-letter topic)", "22008");
        }
        writeLong(micros);
    }

    /** A {@code timestamptz}: microseconds since 2000-01-01 00:00 UTC. */
    public void writeTimestamp(Instant value) {
        writeLong(Math.multiplyExact(value.getEpochSecond(), 1_000_000L) - PG_EPOCH_MICROS + micros(value.getNano()));
    }

    /**
     * Nanoseconds to microseconds, half to even: what PostgreSQL's {@code rint} does with the digits of a text
     * value past the sixth, so that a value keeps the spelling it had through COPY's text format.
     */
    private static long micros(long nanos) {
        long micros = Math.floorDiv(nanos, 1000);
        long rest = Math.floorMod(nanos, 1000);
        return rest > 500 || rest == 500 && (micros & 1) == 1 ? micros + 1 : micros;
    }

    /**
     * A {@code numeric}: base-10000 digits around the decimal point, with the value's scale as the display
     * scale (a negative scale counts as 0), exactly the value, as the server's own {@code numeric_send} writes it.
     */
    public void writeNumeric(BigDecimal value) {
        BigDecimal v = value.scale() < 0 ? value.setScale(0) : value;
        int scale = v.scale();
        // Whole base-10000 groups after the point: scale the unscaled value up to a multiple of 4 digits.
        int fractionGroups = (scale + 3) / 4;
        BigInteger units = v.unscaledValue().abs().multiply(BigInteger.TEN.pow(fractionGroups * 4 - scale));
        short[] digits = new short[units.bitLength() / 13 + 2];
        int n = 0;
        while (units.signum() > 0) {
            BigInteger[] qr = units.divideAndRemainder(TEN_THOUSAND);
            digits[n++] = qr[1].shortValue();
            units = qr[0];
        }
        // digits[0] is the last group; leading (most significant) zero groups cannot occur, trailing ones are dropped.
        int skip = 0;
        while (skip < n && digits[skip] == 0) {
            skip++;
        }
        int count = n - skip;
        int weight = n - fractionGroups - 1;
        ensure(4 + 8 + 2 * count);
        writeInt(8 + 2 * count);
        putShort(count);
        putShort(count == 0 ? 0 : weight);
        putShort(v.signum() < 0 ? 0x4000 : 0);
        putShort(scale);
        for (int i = n - 1; i >= skip; i--) {
            putShort(digits[i]);
        }
    }

    /** The trailer, the last chunk, and the end of the COPY. */
    public void end() throws SQLException {
        ensure(2);
        buffer[length++] = (byte) 0xFF;
        buffer[length++] = (byte) 0xFF;
        flush();
        copy.endCopy();
        copy = null;
    }

    private void flush() throws SQLException {
        if (length > 0) {
            copy.writeToCopy(buffer, 0, length);
            length = 0;
        }
    }

    private static SQLDataException nul(String column) {
        return new SQLDataException("column " + column + ": PostgreSQL cannot store the character U+0000 (NUL) in text "
                + "(the loader sends such a record to the dead-letter topic)", "22P05");
    }

    private void putShort(int value) {
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void putInt(int at, int value) {
        buffer[at] = (byte) (value >>> 24);
        buffer[at + 1] = (byte) (value >>> 16);
        buffer[at + 2] = (byte) (value >>> 8);
        buffer[at + 3] = (byte) value;
    }

    private void writeInt(int value) {
        ensure(4);
        buffer[length++] = (byte) (value >>> 24);
        buffer[length++] = (byte) (value >>> 16);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void put(byte[] bytes, int from, int count) {
        ensure(count);
        System.arraycopy(bytes, from, buffer, length, count);
        length += count;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
