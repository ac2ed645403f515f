package dev.orderpipeline.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;

/**
 * Reads the JSON values of many records, one after another, with one of Jackson's non-blocking parsers fed each
 * record's bytes in turn. A parser made per record cost ~0.7 KB of garbage a record (the parser, its quad buffer,
 * IOContext, symbol-table child and read contexts: a quarter of all the loader allocated, see BENCH.md); this
 * one is made once per {@link #RECORDS_PER_PARSER} records.
 *
 * <p>A blocking parser sees the end of its input; this one cannot tell a record that ends early from one whose
 * rest has not been fed yet. So a record is complete only when its root object closed, a token that is not
 * available means the record ended inside it ({@link #next}), and what follows the root object must be
 * whitespace ({@link #endValue}). After any failure the parser is in the middle of something: it is dropped
 * and the next record gets a new one.
 *
 * <p>One reader per converter, used by one thread (a loader's poll thread).
 */
final class JsonValueReader {
    /**
     * The field names a parser has seen stay in its symbol table until it is dropped; a fresh parser every
     * 10,000 records bounds that table when names vary (maps keyed by ids) at ~0.06 bytes of garbage a record.
     */
    static final int RECORDS_PER_PARSER = 10_000;

    private final JsonFactory factory;
    private JsonParser parser;
    private ByteArrayFeeder feeder;
    private int records;
    private long fedBefore;
    private long fed;
    /** Where the current record's JSON starts in its bytes (after a byte order mark). */
    private int start;

    JsonValueReader(JsonFactory factory) {
        this.factory = factory;
    }

    /** Starts reading one record's value; the parser returned reads only this value (tokens through {@link #next}). */
    JsonParser begin(byte[] value) throws IOException {
        if (parser == null || records == RECORDS_PER_PARSER) {
            renew();
        }
        records++;
        // A parser skips a UTF-8 byte order mark only at the start of its first document, as a blocking parser
        // made per record did for every record: skipped here, so that it makes no difference which record it is.
        start = startsWithByteOrderMark(value) ? 3 : 0;
        fedBefore = fed;
        fed += value.length - start;
        if (value.length > start) {
            feeder.feedInput(value, start, value.length);
        }
        return parser;
    }

    /** The next token of this record; null once its bytes are read (the record ended inside a value when not at root level). */
    JsonToken next() throws IOException {
        JsonToken token = parser.nextToken();
        return token == JsonToken.NOT_AVAILABLE ? null : token;
    }

    /**
     * After the root value closed: whether the rest of the record is whitespace only (the parser reads it so that
     * the next record starts clean). Data after the root value would otherwise stay half-read in the parser, a
     * number, say, that the next record's first byte would end.
     */
    boolean endValue(byte[] value) throws IOException {
        int end = start + (int) (parser.currentLocation().getByteOffset() - fedBefore);
        for (int i = end; i < value.length; i++) {
            byte b = value[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return parser.nextToken() == JsonToken.NOT_AVAILABLE && feeder.needMoreInput();
    }

    private static boolean startsWithByteOrderMark(byte[] value) {
        return value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF;
    }

    /** After a failure, or a record that was not read to its end: the next record starts a new parser. */
    void discard() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException ignored) {
                // a parser over fed bytes holds no resource that can fail to close
            }
            parser = null;
        }
    }

    private void renew() throws IOException {
        discard();
        parser = factory.createNonBlockingByteArrayParser();
        feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
        records = 0;
        fed = 0;
    }
}
