package io.glm4j.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;

/**
 * How Python writes template values: {@code str(x)} for {@code {{ x }}} and {@code repr(x)} inside
 * containers, so that a template printing a dict or a float renders as it does under jinja2.
 * Values are the plain Java shapes a template sees: String, Boolean, integer and floating
 * numbers, List, Map (insertion-ordered) and null.
 */
final class PythonValues {
    private PythonValues() {}

    /** Python's {@code str(x)}; null prints as empty, as an undefined value does in jinja2. */
    static String str(Object x) {
        if (x == null) {
            return "";
        }
        if (x instanceof CharSequence s) {
            return s.toString();
        }
        return repr(x);
    }

    static String repr(Object x) {
        return switch (x) {
            case null -> "None";
            case CharSequence s -> reprString(s.toString());
            case Boolean b -> b ? "True" : "False";
            case Double d -> reprFloat(d);
            case Float f -> reprFloat(f.doubleValue());
            case BigDecimal d -> reprFloat(d.doubleValue());
            case Map<?, ?> m -> reprMap(m);
            case Map.Entry<?, ?> e -> "(" + repr(e.getKey()) + ", " + repr(e.getValue()) + ")";
            case Iterable<?> items -> "[" + joinRepr(items.iterator()) + "]";
            default -> x.toString();
        };
    }

    private static String reprMap(Map<?, ?> m) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
        }
        return out.append('}').toString();
    }

    private static String joinRepr(Iterator<?> items) {
        StringBuilder out = new StringBuilder();
        while (items.hasNext()) {
            out.append(repr(items.next()));
            if (items.hasNext()) {
                out.append(", ");
            }
        }
        return out.toString();
    }

    /** Python's {@code repr(str)}: single quotes unless only double quotes avoid escaping. */
    static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(quote);
                    } else if (isPrintable(c)) {
                        out.appendCodePoint(c);
                    } else if (c < 0x100) {
                        out.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return out.append(quote).toString();
    }

    /** Python's {@code str.isprintable} for one code point. */
    private static boolean isPrintable(int c) {
        if (c < 0x80) {
            return c >= 0x20 && c < 0x7F;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that read back as the same double
     * (closest to the exact value when several do), positional for exponents -4..15,
     * otherwise {@code d.ddde+XX}.
     */
    static String reprFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortestDigits(Math.abs(d));
        String digits = shortest.unscaledValue().toString();
        int pointAt = digits.length() - shortest.scale(); // value = 0.DIGITS x 10^pointAt
        String sign = d < 0 ? "-" : "";
        if (pointAt <= -4 || pointAt > 16) {
            int exp = pointAt - 1;
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        if (pointAt <= 0) {
            return sign + "0." + "0".repeat(-pointAt) + digits;
        }
        if (pointAt >= digits.length()) {
            return sign + digits + "0".repeat(pointAt - digits.length()) + ".0";
        }
        return sign + digits.substring(0, pointAt) + "." + digits.substring(pointAt);
    }

    private static BigDecimal shortestDigits(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            BigDecimal ulp = BigDecimal.ONE.movePointLeft(rounded.scale());
            BigDecimal best = null;
            for (BigDecimal candidate : new BigDecimal[] {rounded, rounded.subtract(ulp), rounded.add(ulp)}) {
                boolean closer = best == null
                        || candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0;
                if (candidate.signum() > 0 && candidate.doubleValue() == d && closer) {
                    best = candidate;
                }
            }
            if (best != null) {
                return best.stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    static boolean isInteger(Object x) {
        return x instanceof Integer || x instanceof Long || x instanceof Short || x instanceof Byte
                || x instanceof BigInteger;
    }
}
