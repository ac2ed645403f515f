package dev.orderpipeline.schema;

import dev.orderpipeline.config.SqlIdentifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The safe column name of a JSON field path, a pure function of the path (so every loader and every
 * restart computes the same one):
 * <ul>
 *   <li>segments are joined with {@code _} (nested objects flatten as PARENT_CHILD) and upper-cased;</li>
 *   <li>each character other than an ASCII letter, digit, {@code _} or {@code $} becomes {@code _}
 *       (one per Unicode code point): {@code order-id} is ORDER_ID, {@code @timestamp} _TIMESTAMP;</li>
 *   <li>a name that does not start with a letter or {@code _} gets a leading {@code _} ({@code 1st} is _1ST);</li>
 *   <li>a name longer than the dialect allows keeps its head and ends in {@code _} and eight hex digits
 *       of the path's hash.</li>
 * </ul>
 * A field that loses a collision (see {@link ColumnClaims}) gets the {@linkplain #suffixed suffixed}
 * name instead: the safe name, {@code _}, and the first eight hex digits of the SHA-256 of the
 * field's JSON Pointer (RFC 6901, e.g. {@code /a/b}).
 */
public final class ColumnNaming {
    private static final int HASH_LENGTH = 8;
    private final int maxNameLength;

    public ColumnNaming(int maxNameLength) {
        if (maxNameLength < 2 * (HASH_LENGTH + 1)) {
            throw new IllegalArgumentException("a column name limit of " + maxNameLength + " is too short");
        }
        this.maxNameLength = maxNameLength;
    }

    /** The column a field path gets unless it lost a collision. */
    public SqlIdentifier preferred(List<String> path) {
        String name = safe(path);
        if (name.length() > maxNameLength) {
            name = name.substring(0, maxNameLength - HASH_LENGTH - 1) + "_" + hash(path);
        }
        return SqlIdentifier.of(name);
    }

    /** The column of a field path that lost a collision for its preferred name. */
    public SqlIdentifier suffixed(List<String> path) {
        String head = preferred(path).name();
        int room = maxNameLength - HASH_LENGTH - 1;
        return SqlIdentifier.of((head.length() > room ? head.substring(0, room) : head) + "_" + hash(path));
    }

    /** True when the path became its name without any character mapped (nesting aside). */
    public static boolean isVerbatim(List<String> path) {
        for (String segment : path) {
            if (segment.isEmpty() || !segment.chars().allMatch(ColumnNaming::isSafe)) {
                return false;
            }
        }
        char first = path.get(0).charAt(0);
        return Character.isLetter(first) || first == '_';
    }

    /** Names the loader keeps for itself: its metadata columns and every name starting with _KAFKA_. */
    public static boolean isReserved(SqlIdentifier name) {
        return MetadataColumns.ALL.contains(name) || name.name().startsWith("_KAFKA_");
    }

    /** The field's JSON Pointer (RFC 6901): unambiguous even when a field name contains a dot. */
    public static String pointer(List<String> path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path) {
            out.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }

    private static String safe(List<String> path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path) {
            if (out.length() > 0) {
                out.append('_');
            }
            segment.codePoints().forEach(cp -> out.append(cp < 128 && isSafe(cp) ? (char) cp : '_'));
        }
        if (out.length() == 0 || !(Character.isLetter(out.charAt(0)) || out.charAt(0) == '_')) {
            out.insert(0, '_');
        }
        return out.toString().toUpperCase(Locale.ROOT);
    }

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
    }

    private static String hash(List<String> path) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(pointer(path).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(digest).substring(0, HASH_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
