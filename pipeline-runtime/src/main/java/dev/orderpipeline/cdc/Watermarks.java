package dev.orderpipeline.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;

/**
 * Watermark comparison. A watermark read back from PostgreSQL's jsonb parses small numbers as
 * {@code int} nodes while a source builds {@code long} nodes, and Jackson's {@link JsonNode#equals}
 * tells those apart; two watermarks are the same when they hold the same fields and numerically
 * equal values, whatever node classes and field order they have.
 */
public final class Watermarks {
    private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private Watermarks() {
    }

    public static boolean same(JsonNode a, JsonNode b) {
        if (a == null || a.isNull() || b == null || b.isNull()) {
            return (a == null || a.isNull()) && (b == null || b.isNull());
        }
        return a.equals(NUMERIC, b);
    }
}
