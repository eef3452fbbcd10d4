package io.glm4j.chat;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as Hugging Face's {@code tojson} template filter calls it: separators
 * {@code ", "} and {@code ": "} (or {@code ","} with an indent), keys in insertion order unless
 * sorted, non-ASCII kept unless {@code ensure_ascii}, and Python's escapes and float spelling.
 * The spacing and escapes are part of the prompt the model was trained on.
 */
final class PythonJson {
    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    /**
     * @param indent     null for one line, else the string repeated per nesting level
     * @param separators null for the defaults, else {item separator, key separator}
     */
    PythonJson(boolean ensureAscii, String indent, List<String> separators, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = separators != null ? separators.get(0) : indent != null ? "," : ", ";
        this.keySeparator = separators != null ? separators.get(1) : ": ";
        this.sortKeys = sortKeys;
    }

    /** {@code json.dumps(x, ensure_ascii=False)}, the call GLM's template makes. */
    static String dumps(Object x) {
        return new PythonJson(false, null, null, false).write(x);
    }

    String write(Object x) {
        StringBuilder out = new StringBuilder();
        write(x, 0, out);
        return out.toString();
    }

    private void write(Object x, int depth, StringBuilder out) {
        switch (x) {
            case null -> out.append("null");
            case CharSequence s -> writeString(s.toString(), out);
            case Boolean b -> out.append(b);
            case Number n when PythonValues.isInteger(n) -> out.append(n);
            case Number n -> out.append(floatText(n.doubleValue()));
            case Map<?, ?> m -> writeMap(m, depth, out);
            case Iterable<?> items -> writeList(items.iterator(), depth, out);
            case Object[] items -> writeList(List.of(items).iterator(), depth, out);
            default -> throw new IllegalArgumentException(
                    "Object of type " + x.getClass().getSimpleName() + " is not JSON serializable");
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PythonValues.reprFloat(d);
    }

    private void writeMap(Map<?, ?> m, int depth, StringBuilder out) {
        if (m.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            entries.add(new AbstractMap.SimpleEntry<>(keyText(e.getKey()), e.getValue()));
        }
        if (sortKeys) {
            entries.sort((a, b) -> compareCodePoints(a.getKey(), b.getKey()));
        }
        out.append('{');
        for (int i = 0; i < entries.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(depth + 1, out);
            writeString(entries.get(i).getKey(), out);
            out.append(keySeparator);
            write(entries.get(i).getValue(), depth + 1, out);
        }
        newline(depth, out);
        out.append('}');
    }

    private void writeList(Iterator<?> items, int depth, StringBuilder out) {
        if (!items.hasNext()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        while (items.hasNext()) {
            out.append(first ? "" : itemSeparator);
            first = false;
            newline(depth + 1, out);
            write(items.next(), depth + 1, out);
        }
        newline(depth, out);
        out.append(']');
    }

    private void newline(int depth, StringBuilder out) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(depth));
        }
    }

    /** Python turns str, int, float, bool and None keys into JSON keys; anything else is an error. */
    private static String keyText(Object key) {
        return switch (key) {
            case null -> "null";
            case CharSequence s -> s.toString();
            case Boolean b -> b.toString();
            case Number n when PythonValues.isInteger(n) -> n.toString();
            case Number n -> floatText(n.doubleValue());
            default -> throw new IllegalArgumentException(
                    "keys must be str, int, float, bool or None, not " + key.getClass().getSimpleName());
        };
    }

    private static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    private void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // UTF-16 units are exactly the \\uXXXX escapes Python writes, surrogate pairs included.
                    boolean escape = c < 0x20 || (ensureAscii && c > 0x7E);
                    if (escape) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
