package dev.orderpipeline.schema;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The one room where a JSON value meets a column type: which type a new column gets from its first
 * value ({@link #infer}), how a column widens when a value does not fit ({@link #join}), and the
 * conversion of a value to a column's type ({@link #convert}) — exact, or refused, never rounded.
 *
 * <p>JSON numbers arrive exact: a {@link Long}, or a {@link BigDecimal} for integers beyond 64 bits
 * and for every number with a fraction or an exponent. The Java value of each column type is fixed
 * ({@link #isNative}): BIGINT a Long, DECIMAL a BigDecimal of scale {@link ColumnType#DECIMAL_SCALE},
 * DOUBLE a Double, BOOLEAN a Boolean, VARCHAR and VARIANT a String; the temporal types (which only a
 * registry schema declares) an Instant, LocalDateTime, LocalDate or LocalTime ({@link TemporalValues}).
 *
 * <p>The only automatic widening is BIGINT to DECIMAL (every 64-bit integer fits DECIMAL(38,18)),
 * when a fraction or an integer beyond 64 bits meets an integer column. DOUBLE never widens and
 * nothing widens to text: a value that does not fit is refused, naming why. A temporal column neither
 * widens nor narrows: it takes its own kind of value, or ISO-8601 text of it.
 */
public final class SchemaPolicy {
    private static final int DECIMAL_INTEGER_DIGITS = ColumnType.DECIMAL_PRECISION - ColumnType.DECIMAL_SCALE;
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private SchemaPolicy() {
    }

    /**
     * The type of a new column whose first non-null value is {@code value}: integers that fit 64 bits
     * BIGINT; a number with a fraction or an exponent that a double holds exactly (its shortest
     * double spelling is the same number) DOUBLE; any other number DECIMAL when it fits
     * DECIMAL(38,18), else VARCHAR (its exact text);
     * booleans BOOLEAN, strings VARCHAR, arrays VARIANT.
     */
    public static ColumnType infer(Object value) {
        if (value instanceof Long) {
            return ColumnType.BIGINT;
        }
        if (value instanceof BigDecimal d) {
            // Scale 0 beyond 64 bits: an integer token. Anything else had a fraction or an exponent.
            boolean integer = d.scale() == 0 && !fitsLong(d);
            if (!integer && exactDouble(d) != null) {
                return ColumnType.DOUBLE;
            }
            return fitsDecimal(d) ? ColumnType.DECIMAL : ColumnType.VARCHAR;
        }
        if (value instanceof Double) {
            return ColumnType.DOUBLE;
        }
        if (value instanceof Boolean) {
            return ColumnType.BOOLEAN;
        }
        if (value instanceof JsonText) {
            return ColumnType.VARIANT;
        }
        ColumnType temporal = TemporalValues.typeOf(value);
        return temporal != null ? temporal : ColumnType.VARCHAR;
    }

    /**
     * The type a column of type {@code column} should have to also hold values of type
     * {@code incoming}: the column's own type unless a lossless widening exists. The lattice is
     * BIGINT &lt; DECIMAL, and BIGINT meeting DOUBLE is DECIMAL too (a fraction meets integers);
     * everything else keeps the column's type, and values are converted to it or refused.
     */
    public static ColumnType join(ColumnType column, ColumnType incoming) {
        if (column == ColumnType.BIGINT && (incoming == ColumnType.DECIMAL || incoming == ColumnType.DOUBLE)) {
            return ColumnType.DECIMAL;
        }
        return column;
    }

    /**
     * The type a column of type {@code column} must have to take every value of a field that a registry
     * schema declares as {@code declared}, or null when no column can (an incompatible schema change, refused).
     * The same lattice as {@link #join}: the declared type itself; a widening join allows (an integer column
     * meeting a decimal or double field becomes DECIMAL); DECIMAL takes integers; VARCHAR takes every scalar
     * exactly as text (a timestamp as its ISO-8601 text, as tables made before the temporal types hold it) and a
     * structure as its JSON text; VARIANT takes anything. Avro's promotions int → long and float → double keep
     * the column (BIGINT, DOUBLE) as it is. A temporal column takes only its own type: a timestamp field that becomes a string, a date
     * that becomes a timestamp, is an incompatible change.
     */
    public static ColumnType forDeclared(ColumnType column, ColumnType declared) {
        if (declared == column || column == ColumnType.VARIANT) {
            return column;
        }
        ColumnType joined = join(column, declared);
        if (joined != column) {
            return joined;
        }
        if (column == ColumnType.DECIMAL && declared == ColumnType.BIGINT) {
            return column;
        }
        if (column == ColumnType.VARCHAR) {
            // A structure as its JSON text: DuckDB keeps VARIANT columns as VARCHAR, so its tables read back
            // that way, and a text column elsewhere holds a field that became an array or a map losslessly.
            return column;
        }
        return null;
    }

    /** Whether {@code value} already is the Java value of {@code type} (null counts: it stays NULL). */
    public static boolean isNative(ColumnType type, Object value) {
        if (value == null) {
            return true;
        }
        return switch (type) {
            case BIGINT -> value instanceof Long;
            case DECIMAL -> value instanceof BigDecimal d && d.scale() == ColumnType.DECIMAL_SCALE;
            case DOUBLE -> value instanceof Double;
            case BOOLEAN -> value instanceof Boolean;
            case VARCHAR, VARIANT -> value instanceof String;
            case TIMESTAMP, TIMESTAMP_LOCAL, DATE, TIME -> TemporalValues.isNative(type, value);
        };
    }

    /**
     * {@code value} as the Java value of {@code type}, exactly.
     *
     * @throws NotConvertibleException when the type cannot hold it without loss; the message says why
     *     and starts "the value '…' does not fit column NAME of type TYPE"
     */
    public static Object convert(ColumnType type, Object value, String column) throws NotConvertibleException {
        if (value == null) {
            return null;
        }
        Object converted = switch (type) {
            case BIGINT -> toBigint(value);
            case DECIMAL -> toDecimal(value);
            case DOUBLE -> toDouble(value);
            case BOOLEAN -> toBoolean(value);
            case VARCHAR -> toText(value);
            case VARIANT -> toJson(value);
            case TIMESTAMP, TIMESTAMP_LOCAL, DATE, TIME -> TemporalValues.convert(type, value);
        };
        if (converted == null) {
            throw new NotConvertibleException("the value " + describe(value) + " does not fit column " + column
                    + " of type " + type + why(type, value));
        }
        return converted;
    }

    private static Long toBigint(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof BigDecimal d) {
            return isIntegral(d) && fitsLong(d) ? d.longValueExact() : null;
        }
        if (value instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 0x1p63 ? (long) (double) d : null;
        }
        if (value instanceof String s) {
            BigDecimal d = parse(s);
            return d == null ? null : toBigint(d);
        }
        return null;
    }

    private static BigDecimal toDecimal(Object value) {
        BigDecimal d;
        if (value instanceof Long l) {
            d = BigDecimal.valueOf(l);
        } else if (value instanceof BigDecimal b) {
            d = b;
        } else if (value instanceof Double x) {
            // The shortest spelling of the double: what the JSON said when the double held it exactly.
            d = Double.isFinite(x) ? new BigDecimal(Double.toString(x)) : null;
        } else if (value instanceof String s) {
            d = parse(s);
        } else {
            d = null;
        }
        return d != null && fitsDecimal(d) ? d.setScale(ColumnType.DECIMAL_SCALE) : null;
    }

    private static Double toDouble(Object value) {
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof Long l) {
            double d = l;
            return l != Long.MAX_VALUE && (long) d == l ? d : null;
        }
        if (value instanceof BigDecimal d) {
            return exactDouble(d);
        }
        if (value instanceof String s) {
            BigDecimal d = parse(s);
            return d == null ? null : exactDouble(d);
        }
        return null;
    }

    private static Boolean toBoolean(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        return null;
    }

    /** Any scalar is exact as text; numbers keep every digit they arrived with. */
    private static String toText(Object value) {
        if (value instanceof JsonText text) {
            return text.json();
        }
        if (value instanceof BigDecimal d) {
            return d.toString();
        }
        return value.toString();
    }

    private static String toJson(Object value) {
        if (value instanceof JsonText text) {
            return text.json();
        }
        if (value instanceof String || TemporalValues.isTemporalValue(value)) {
            String s = value.toString(); // a temporal value as its ISO-8601 text, as in a VARCHAR column
            return '"' + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
        }
        if (value instanceof Double d && !Double.isFinite(d)) {
            return null; // JSON has no NaN or Infinity
        }
        return toText(value);
    }

    /** The double that is exactly this number (its shortest spelling reads back as the same number), or null. */
    static Double exactDouble(BigDecimal d) {
        // Every decimal of at most 15 significant digits survives the trip through a double (DBL_DIG):
        // the common case, decided without spelling the double.
        if (d.precision() <= 15 && d.scale() <= 300 && d.scale() >= -290) {
            return d.doubleValue();
        }
        double x = d.doubleValue();
        if (!Double.isFinite(x)) {
            return null;
        }
        return new BigDecimal(Double.toString(x)).compareTo(d) == 0 ? x : null;
    }

    static boolean fitsDecimal(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        int scale = Math.max(0, stripped.scale());
        int integerDigits = stripped.precision() - stripped.scale();
        return scale <= ColumnType.DECIMAL_SCALE && integerDigits <= DECIMAL_INTEGER_DIGITS;
    }

    private static boolean isIntegral(BigDecimal d) {
        return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
    }

    private static boolean fitsLong(BigDecimal d) {
        return d.compareTo(LONG_MIN) >= 0 && d.compareTo(LONG_MAX) <= 0;
    }

    private static BigDecimal parse(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 400) {
            return null;
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String why(ColumnType type, Object value) {
        if (type.isTemporal()) {
            return TemporalValues.range(type);
        }
        boolean number = value instanceof Long || value instanceof BigDecimal || value instanceof Double;
        if (!number) {
            return "";
        }
        return switch (type) {
            case BIGINT -> ": it is not a 64-bit integer";
            case DOUBLE -> ": a double would round it";
            case DECIMAL -> ": DECIMAL(" + ColumnType.DECIMAL_PRECISION + "," + ColumnType.DECIMAL_SCALE
                    + ") holds " + DECIMAL_INTEGER_DIGITS + " digits before the point and "
                    + ColumnType.DECIMAL_SCALE + " after it";
            default -> "";
        };
    }

    /** The value as it reads in a message: abridged, so one huge value does not flood a log or a header. */
    public static String describe(Object value) {
        String text = value instanceof JsonText t ? t.json()
                : value instanceof BigDecimal d ? d.toString() : String.valueOf(value);
        return "'" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'";
    }

    /** Keeps BigInteger out of the rest of the code: integers beyond 64 bits are BigDecimals of scale 0. */
    public static BigDecimal exact(BigInteger integer) {
        return new BigDecimal(integer);
    }
}
