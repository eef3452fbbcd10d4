package io.glm4j.grammar.schema;

import io.glm4j.Glm4jException;
import io.glm4j.grammar.CodePoints;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-schema {@code pattern} (an ECMA-262 regular expression) as a GBNF expression for the
 * strings it matches in full: literals, {@code .}, classes with ranges and negation, {@code \d \w
 * \s} and their negations, groups ({@code (...)}, {@code (?:...)}, {@code (?<name>...)}),
 * alternation and the quantifiers {@code * + ? {n} {n,} {n,m}} (lazy or not). A leading {@code ^}
 * and trailing {@code $} are dropped; a pattern without them is still matched in full, which
 * satisfies the schema too (its match need not span the string). Lookaround, backreferences
 * and word boundaries are refused.
 *
 * <p>In {@link Mode#JSON} the expression spells the characters as they appear inside a JSON
 * string ({@code "} as {@code \"}, controls escaped); in {@link Mode#RAW} as themselves.
 */
final class PatternGrammar {
    enum Mode { JSON, RAW }

    private static final CodePoints DIGIT = CodePoints.of('0', '9');
    private static final CodePoints WORD = CodePoints.of('0', '9', 'A', 'Z', '_', '_', 'a', 'z');
    private static final CodePoints SPACE = CodePoints.of('\t', '\r', ' ', ' ', 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A,
            0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF);
    private static final CodePoints LINE_TERMINATORS = CodePoints.of('\n', '\n', '\r', '\r', 0x2028, 0x2029);
    /** Characters a JSON string must escape. */
    private static final CodePoints JSON_SPECIAL = CodePoints.of(0, 0x1F, '"', '"', '\\', '\\');

    private final String src;
    private final Mode mode;
    private int pos;

    private PatternGrammar(String src, Mode mode) {
        this.src = src;
        this.mode = mode;
    }

    static String toGbnf(String pattern, Mode mode) {
        String p = pattern;
        if (p.startsWith("^")) p = p.substring(1);
        if (p.endsWith("$") && !p.endsWith("\\$")) p = p.substring(0, p.length() - 1);
        PatternGrammar g = new PatternGrammar(p, mode);
        String out = g.alternation();
        if (g.pos < p.length()) throw g.error("unexpected '" + p.charAt(g.pos) + "'");
        return out;
    }

    private String alternation() {
        List<String> alts = new ArrayList<>();
        alts.add(sequence());
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            alts.add(sequence());
        }
        return alts.size() == 1 ? alts.getFirst() : "(" + String.join(" | ", alts) + ")";
    }

    private String sequence() {
        List<String> items = new ArrayList<>();
        while (pos < src.length() && src.charAt(pos) != '|' && src.charAt(pos) != ')') {
            String atom = atom();
            items.add(quantified(atom));
        }
        return items.isEmpty() ? "\"\"" : "(" + String.join(" ", items) + ")";
    }

    private String quantified(String atom) {
        if (pos >= src.length()) return atom;
        char c = src.charAt(pos);
        String q;
        if (c == '*' || c == '+' || c == '?') {
            pos++;
            q = String.valueOf(c);
        } else if (c == '{' && src.indexOf('}', pos) > 0 && src.substring(pos + 1, src.indexOf('}', pos)).matches("\\d+(,\\d*)?")) {
            int close = src.indexOf('}', pos);
            q = src.substring(pos, close + 1);
            pos = close + 1;
        } else {
            return atom;
        }
        if (pos < src.length() && src.charAt(pos) == '?') pos++; // lazy: same strings
        if (pos < src.length() && "*+?".indexOf(src.charAt(pos)) >= 0) throw error("nested quantifier");
        return atom + q;
    }

    private String atom() {
        char c = src.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                if (src.startsWith("?:", pos)) {
                    pos += 2;
                } else if (src.startsWith("?<", pos) && !src.startsWith("?<=", pos) && !src.startsWith("?<!", pos)) {
                    int close = src.indexOf('>', pos);
                    if (close < 0) throw error("unterminated group name");
                    pos = close + 1;
                } else if (src.startsWith("?", pos)) {
                    throw error("lookaround and other (?...) groups are not supported");
                }
                String inner = alternation();
                if (pos >= src.length() || src.charAt(pos) != ')') throw error("missing ')'");
                pos++;
                return "(" + inner + ")";
            }
            case '[' -> {
                pos++;
                return chars(charClass());
            }
            case '.' -> {
                pos++;
                return chars(CodePoints.ALL.minus(LINE_TERMINATORS));
            }
            case '\\' -> {
                pos++;
                return escapeAtom();
            }
            case '^', '$' -> throw error("anchors are supported only at the start and end");
            case '*', '+', '?', '{' -> throw error("nothing to repeat before '" + c + "'");
            default -> {
                int cp = src.codePointAt(pos);
                pos += Character.charCount(cp);
                return chars(CodePoints.single(cp));
            }
        }
    }

    private String escapeAtom() {
        if (pos >= src.length()) throw error("pattern ends in '\\'");
        char e = src.charAt(pos);
        if (e == 'b' || e == 'B') throw error("word boundaries are not supported");
        if (Character.isDigit(e) && e != '0') throw error("backreferences are not supported");
        return chars(escape(false));
    }

    /** The set an escape after a backslash stands for; {@code inClass}: \b is backspace. */
    private CodePoints escape(boolean inClass) {
        char e = src.charAt(pos++);
        return switch (e) {
            case 'd' -> DIGIT;
            case 'D' -> DIGIT.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE.union(CodePoints.of('\n', '\n', 0x0B, 0x0C));
            case 'S' -> SPACE.union(CodePoints.of('\n', '\n', 0x0B, 0x0C)).complement();
            case 'n' -> CodePoints.single('\n');
            case 'r' -> CodePoints.single('\r');
            case 't' -> CodePoints.single('\t');
            case 'f' -> CodePoints.single('\f');
            case 'v' -> CodePoints.single(0x0B);
            case '0' -> CodePoints.single(0);
            case 'b' -> {
                if (!inClass) throw error("word boundaries are not supported");
                yield CodePoints.single('\b');
            }
            case 'x' -> CodePoints.single(hex(2));
            case 'u' -> {
                if (pos < src.length() && src.charAt(pos) == '{') {
                    int close = src.indexOf('}', pos);
                    if (close < 0) throw error("unterminated \\u{...}");
                    int cp = Integer.parseInt(src.substring(pos + 1, close), 16);
                    pos = close + 1;
                    yield CodePoints.single(cp);
                }
                yield CodePoints.single(hex(4));
            }
            default -> {
                if (Character.isLetterOrDigit(e)) throw error("unsupported escape '\\" + e + "'");
                yield CodePoints.single(e);
            }
        };
    }

    private CodePoints charClass() {
        boolean negated = pos < src.length() && src.charAt(pos) == '^';
        if (negated) pos++;
        CodePoints set = CodePoints.of();
        boolean first = true;
        while (true) {
            if (pos >= src.length()) throw error("unterminated character class");
            char c = src.charAt(pos);
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            CodePoints item = classAtom();
            if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']' && isSingle(item)) {
                pos++;
                CodePoints end = classAtom();
                if (!isSingle(end) || end.ranges()[0] < item.ranges()[0]) throw error("bad character range");
                item = CodePoints.of(item.ranges()[0], end.ranges()[0]);
            }
            set = set.union(item);
        }
        return negated ? set.complement() : set;
    }

    private CodePoints classAtom() {
        if (src.charAt(pos) == '\\') {
            pos++;
            if (pos >= src.length()) throw error("pattern ends in '\\'");
            return escape(true);
        }
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return CodePoints.single(cp);
    }

    private static boolean isSingle(CodePoints c) {
        return c.ranges().length == 2 && c.ranges()[0] == c.ranges()[1];
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw error("unfinished hex escape");
        try {
            int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            return v;
        } catch (NumberFormatException e) {
            throw error("bad hex escape");
        }
    }

    /** One character from the set, as GBNF in this mode. */
    private String chars(CodePoints set) {
        if (set.isEmpty()) throw error("a character class matches nothing");
        if (mode == Mode.RAW) return Gbnf.charClass(set);
        List<String> alts = new ArrayList<>();
        CodePoints plain = set.minus(JSON_SPECIAL);
        if (!plain.isEmpty()) alts.add(Gbnf.charClass(plain));
        int[] r = set.ranges();
        for (int i = 0; i < r.length; i += 2) {
            for (int cp = r[i]; cp <= Math.min(r[i + 1], 0x5C); cp++) {
                if (JSON_SPECIAL.contains(cp)) alts.add(Gbnf.literal(JsonText.escapeChar(cp)));
            }
        }
        return alts.size() == 1 ? alts.getFirst() : "(" + String.join(" | ", alts) + ")";
    }

    private Glm4jException error(String message) {
        return new Glm4jException("pattern '" + src + "': " + message + " (at position " + pos + ")");
    }
}
