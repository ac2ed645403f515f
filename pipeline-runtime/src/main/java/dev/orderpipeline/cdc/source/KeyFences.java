package dev.orderpipeline.cdc.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderpipeline.cdc.Watermarks;
import java.util.List;

/**
 * Upper bounds that cut a snapshot into key ranges of about one page each. Without them a page,
 * {@code key > after ORDER BY key LIMIT n}, makes the warehouse read and sort every row above
 * {@code after} (no index serves a range), so a snapshot of N rows costs N²/n row reads; bounded by
 * the next fence, a page reads its own range. The fences come from one query over the key columns
 * alone. They are hints, not the contract: a page still ends at its limit, and a range is left only
 * once a read of it came back short, so rows written since the fences were taken change the size
 * of pages, never which rows the snapshot reads.
 */
final class KeyFences {
    private final List<JsonNode> bounds;
    private int current;
    private JsonNode resumeAfter;

    KeyFences(JsonNode afterKey, List<JsonNode> bounds) {
        this.resumeAfter = afterKey;
        this.bounds = List.copyOf(bounds);
    }

    /**
     * Whether the snapshot goes on where these fences left it. A restart, a retry or a page that was
     * not applied passes another key, and the fences are taken again from there.
     */
    boolean continues(JsonNode afterKey) {
        return Watermarks.same(resumeAfter, afterKey);
    }

    /** The inclusive upper bound of the current range, or null past the last fence. */
    JsonNode bound() {
        return current < bounds.size() ? bounds.get(current) : null;
    }

    /** The current range was read to its end. */
    void rangeDone() {
        current++;
    }

    /** The key the next page starts after. */
    JsonNode next() {
        return resumeAfter;
    }

    /** The page just returned ends at {@code lastKey}: the next one starts after it. */
    void pageEndsAt(JsonNode lastKey) {
        resumeAfter = lastKey;
    }
}
