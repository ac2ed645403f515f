package dev.orderpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Text that records repeat is one String, whether the JSON parser read it or a registry format decoded it. */
class RepeatedTextTest {

    @Test
    void aDecodedTextValueSeenBeforeIsTheStringReturnedFirst() {
        RepeatedText repeated = new RepeatedText();
        String first = repeated.of(new String("Zürich"));
        String again = repeated.of(new String("Zürich"));
        assertSame(first, again);
        assertEquals("Zürich", again);
    }

    @Test
    void textsSharingASlotStayThemselves() {
        RepeatedText repeated = new RepeatedText();
        String aa = repeated.of(new String("Aa"));
        String bb = repeated.of(new String("BB")); // the same hash as "Aa"
        assertEquals("Aa", aa);
        assertEquals("BB", bb);
        assertSame(bb, repeated.of(new String("BB")), "the last text of a slot is the one kept");
    }

    @Test
    void longTextIsNeverKept() {
        RepeatedText repeated = new RepeatedText();
        String text = "x".repeat(RepeatedText.MAX_LENGTH + 1);
        String copy = new String(text);
        assertSame(text, repeated.of(text));
        assertSame(copy, repeated.of(copy));
        assertNotSame(repeated.of(text), repeated.of(copy));
    }

    @Test
    void parsedAndDecodedTextFindEachOther() {
        RepeatedText repeated = new RepeatedText();
        char[] chars = "{\"city\":\"Zürich\"}".toCharArray();
        String parsed = repeated.of(chars, 9, 6);
        assertEquals("Zürich", parsed);
        assertSame(parsed, repeated.of(new String("Zürich")));
    }
}
