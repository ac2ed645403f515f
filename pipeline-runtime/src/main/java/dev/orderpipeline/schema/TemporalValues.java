package dev.orderpipeline.schema;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The values of the temporal column types, exactly: an {@link Instant} for TIMESTAMP, a {@link LocalDateTime}
 * for TIMESTAMP_LOCAL, a {@link LocalDate} for DATE, a {@link LocalTime} for TIME.
 *
 * <p>Every dialect holds the years 1 to 9999 and microseconds (PostgreSQL and DuckDB keep no finer digits),
 * so a value outside those years or with digits below the microsecond is refused, never rounded: it would
 * otherwise read back as another instant than the producer wrote. Text converts only from ISO-8601
 * ({@code 2026-12-02T06:04:23.123456Z}; a space instead of the T is taken too), and a TIMESTAMP's text must
 * carry its offset: a wall-clock time without a zone is not an instant.
 */
final class TemporalValues {
    private static final int FIRST_YEAR = 1;
    private static final int LAST_YEAR = 9999;
    private static final Instant FIRST_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant PAST_LAST_INSTANT = Instant.parse("+10000-01-01T00:00:00Z");

    private TemporalValues() {
    }

    /** {@code value} as the Java value of the temporal {@code type}, or null when it is not exactly one. */
    static Object convert(ColumnType type, Object value) {
        return switch (type) {
            case TIMESTAMP -> instant(value);
            case TIMESTAMP_LOCAL -> localDateTime(value);
            case DATE -> date(value);
            case TIME -> time(value);
            default -> throw new IllegalArgumentException(type + " is not a temporal type");
        };
    }

    /** Whether {@code value} is the Java value of the temporal {@code type}, within its range and precision. */
    static boolean isNative(ColumnType type, Object value) {
        return switch (type) {
            case TIMESTAMP -> value instanceof Instant i && fits(i);
            case TIMESTAMP_LOCAL -> value instanceof LocalDateTime t && fits(t);
            case DATE -> value instanceof LocalDate d && yearFits(d.getYear());
            case TIME -> value instanceof LocalTime t && t.getNano() % 1000 == 0;
            default -> false;
        };
    }

    static boolean isTemporalValue(Object value) {
        return value instanceof Instant || value instanceof LocalDateTime || value instanceof LocalDate
                || value instanceof LocalTime;
    }

    /** The type a temporal value declares by its Java class, or null. */
    static ColumnType typeOf(Object value) {
        if (value instanceof Instant) {
            return ColumnType.TIMESTAMP;
        }
        if (value instanceof LocalDateTime) {
            return ColumnType.TIMESTAMP_LOCAL;
        }
        if (value instanceof LocalDate) {
            return ColumnType.DATE;
        }
        return value instanceof LocalTime ? ColumnType.TIME : null;
    }

    /** What a temporal column holds, for a refusal's message. */
    static String range(ColumnType type) {
        return switch (type) {
            case DATE -> ": DATE holds ISO-8601 dates (2026-12-02) of the years 1 to 9999";
            case TIME -> ": TIME holds ISO-8601 times of day (06:04:23.123456) to the microsecond";
            case TIMESTAMP -> ": TIMESTAMP holds instants of the years 1 to 9999 to the microsecond, as text only "
                    + "ISO-8601 with an offset (2026-12-02T06:04:23.123456Z)";
            default -> ": TIMESTAMP_LOCAL holds dates and times of the years 1 to 9999 to the microsecond, as text "
                    + "ISO-8601 without an offset (2026-12-02T06:04:23.123456)";
        };
    }

    private static Instant instant(Object value) {
        return nativeOrParsed(value, Instant.class,
                s -> OffsetDateTime.parse(isoSeparator(s), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant(),
                TemporalValues::fits);
    }

    private static LocalDateTime localDateTime(Object value) {
        return nativeOrParsed(value, LocalDateTime.class,
                s -> LocalDateTime.parse(isoSeparator(s), DateTimeFormatter.ISO_LOCAL_DATE_TIME), TemporalValues::fits);
    }

    private static LocalDate date(Object value) {
        return nativeOrParsed(value, LocalDate.class, s -> LocalDate.parse(s.trim(), DateTimeFormatter.ISO_LOCAL_DATE),
                d -> yearFits(d.getYear()));
    }

    private static LocalTime time(Object value) {
        return nativeOrParsed(value, LocalTime.class, s -> LocalTime.parse(s.trim(), DateTimeFormatter.ISO_LOCAL_TIME),
                t -> t.getNano() % 1000 == 0);
    }

    /** The value itself when it already is a {@code type}, else its ISO-8601 text parsed; null when neither or out of range. */
    private static <T> T nativeOrParsed(Object value, Class<T> type, Function<String, T> parse, Predicate<T> fits) {
        T t = null;
        if (type.isInstance(value)) {
            t = type.cast(value);
        } else if (value instanceof String s) {
            try {
                t = parse.apply(s);
            } catch (DateTimeException e) {
                return null;
            }
        }
        return t != null && fits.test(t) ? t : null;
    }

    /** ISO-8601's T, where the text has the space SQL prints instead. */
    private static String isoSeparator(String s) {
        String t = s.trim();
        return t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + 'T' + t.substring(11) : t;
    }

    private static boolean fits(Instant i) {
        return i.getNano() % 1000 == 0 && !i.isBefore(FIRST_INSTANT) && i.isBefore(PAST_LAST_INSTANT);
    }

    private static boolean fits(LocalDateTime t) {
        return t.getNano() % 1000 == 0 && yearFits(t.getYear());
    }

    private static boolean yearFits(int year) {
        return year >= FIRST_YEAR && year <= LAST_YEAR;
    }
}
