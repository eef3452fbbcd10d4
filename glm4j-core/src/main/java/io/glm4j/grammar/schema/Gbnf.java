package io.glm4j.grammar.schema;

import io.glm4j.grammar.CodePoints;

/** Writing GBNF text: string literals and character classes with every risky character escaped. */
final class Gbnf {
    private Gbnf() {}

    /** A GBNF string literal matching exactly {@code text}. */
    static String literal(String text) {
        StringBuilder s = new StringBuilder("\"");
        text.codePoints().forEach(cp -> s.append(cp == '"' ? "\\\"" : cp == '[' || cp == ']' ? String.valueOf((char) cp) : escaped(cp)));
        return s.append('"').toString();
    }

    /** A GBNF character class matching one character of {@code set}. */
    static String charClass(CodePoints set) {
        if (set.isEmpty()) throw new IllegalArgumentException("empty character set");
        StringBuilder s = new StringBuilder("[");
        int[] r = set.ranges();
        for (int i = 0; i < r.length; i += 2) {
            s.append(classChar(r[i]));
            if (r[i + 1] != r[i]) s.append('-').append(classChar(r[i + 1]));
        }
        return s.append(']').toString();
    }

    private static String classChar(int cp) {
        return switch (cp) {
            case ']', '[', '-', '^', '"' -> "\\" + (char) cp;
            default -> escaped(cp);
        };
    }

    private static String escaped(int cp) {
        if (cp == '\\') return "\\\\";
        if (cp == '\n') return "\\n";
        if (cp == '\r') return "\\r";
        if (cp == '\t') return "\\t";
        if (cp < 0x20 || cp == 0x7F) return String.format("\\x%02X", cp);
        if (cp >= 0x80 && !Character.isLetterOrDigit(cp)) return cp <= 0xFFFF ? String.format("\\u%04X", cp) : String.format("\\U%08X", cp);
        return Character.toString(cp);
    }
}
