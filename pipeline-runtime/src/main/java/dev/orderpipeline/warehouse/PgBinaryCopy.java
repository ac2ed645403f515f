package dev.orderpipeline.warehouse;

import java.sql.SQLDataException;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL's binary COPY format written into one reused buffer and handed to the server in chunks: numbers
 * go as their 8 bytes instead of digits the server parses again, text as its UTF-8 bytes without escaping.
 * One per session, used by one thread at a time; the buffer stays allocated between batches so that staging a
 * batch allocates nothing per row for ASCII text.
 */
final class PgBinaryCopy {
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final int CHUNK = 64 << 10;
    private byte[] buffer = new byte[CHUNK + 4096];
    private int length;
    private CopyIn copy;

    /** Starts a COPY … FROM STDIN (FORMAT binary) that this writer fills. */
    void begin(CopyIn copyIn) {
        this.copy = copyIn;
        length = 0;
        put(HEADER, 0, HEADER.length);
    }

    void beginRow(int fields) throws SQLException {
        if (length >= CHUNK) {
            flush();
        }
        ensure(2);
        buffer[length++] = (byte) (fields >>> 8);
        buffer[length++] = (byte) fields;
    }

    void writeNull() {
        writeInt(-1);
    }

    void writeLong(long value) {
        ensure(12);
        writeInt(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[length++] = (byte) (value >>> shift);
        }
    }

    void writeDouble(double value) {
        writeLong(Double.doubleToRawLongBits(value));
    }

    void writeBoolean(boolean value) {
        ensure(5);
        writeInt(1);
        buffer[length++] = (byte) (value ? 1 : 0);
    }

    /**
     * Text as UTF-8. PostgreSQL's text types cannot hold U+0000 at all (JSONB refuses it too): refused here, by
     * column, with SQLState 22P05 (untranslatable character), a data error, so that the loader isolates the row
     * and dead-letters it instead of retrying the batch. Replacing the character would change the value silently.
     */
    void writeText(String value, String column) throws SQLDataException {
        int chars = value.length();
        ensure(4 + chars);
        int lengthAt = length;
        length += 4;
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
            if (value.indexOf('\0', i) >= 0) {
                throw nul(column);
            }
            byte[] rest = value.substring(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            put(rest, 0, rest.length);
        }
        int bytes = length - lengthAt - 4;
        buffer[lengthAt] = (byte) (bytes >>> 24);
        buffer[lengthAt + 1] = (byte) (bytes >>> 16);
        buffer[lengthAt + 2] = (byte) (bytes >>> 8);
        buffer[lengthAt + 3] = (byte) bytes;
    }

    /** The trailer, the last chunk, and the end of the COPY. */
    void end() throws SQLException {
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
        return new SQLDataException("column " + column + ": PostgreSQL cannot store the character U+0000 (NUL) in text; "
                + "the record goes to the dead-letter topic", "22P05");
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
