package dev.orderpipeline.source;

import dev.orderpipeline.warehouse.Column;

/**
 * Fits a JSON value to its column's type. Widening is lossless (an integer into a DOUBLE column, a
 * scalar into VARCHAR); anything that would lose information is refused, naming the column.
 */
final class ValueCoercion {
    private ValueCoercion() {
    }

    static Object coerce(Column column, Object value) throws RecordConversionException {
        switch (column.type()) {
            case BIGINT -> {
                if (value instanceof Long) {
                    return value;
                }
                if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.0e18) {
                    return (long) (double) d;
                }
                if (value instanceof String s) {
                    try {
                        return Long.parseLong(s.trim());
                    } catch (NumberFormatException ignored) {
                        // refused below
                    }
                }
            }
            case DOUBLE -> {
                if (value instanceof Number n) {
                    return n.doubleValue();
                }
                if (value instanceof String s) {
                    try {
                        return Double.parseDouble(s.trim());
                    } catch (NumberFormatException ignored) {
                        // refused below
                    }
                }
            }
            case BOOLEAN -> {
                if (value instanceof Boolean) {
                    return value;
                }
                if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    return Boolean.parseBoolean(s);
                }
            }
            case VARCHAR -> {
                return value instanceof RecordConverter.JsonText text ? text.json() : value.toString();
            }
            case VARIANT -> {
                if (value instanceof RecordConverter.JsonText text) {
                    return text.json();
                }
                if (value instanceof String s) {
                    return '"' + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
                }
                return value.toString();
            }
        }
        throw new RecordConversionException("the value " + describe(value) + " does not fit column " + column.name()
                + " of type " + column.type());
    }

    private static String describe(Object value) {
        String text = value instanceof RecordConverter.JsonText t ? t.json() : String.valueOf(value);
        return "'" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'";
    }
}
