package io.glm4j.grammar;

import io.glm4j.Glm4jException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads llama.cpp's GBNF: {@code name ::= alternatives} rules; sequences of string literals
 * ({@code "..."}), character classes ({@code [a-z]}, {@code [^"\\]}), {@code .} (any character),
 * rule names and parenthesised groups; postfix {@code * + ?} and {@code {m}}, {@code {m,}},
 * {@code {m,n}}, {@code {,n}}; {@code #} comments. Escapes: {@code \n \r \t \\ \" \[ \] \xHH \\uHHHH
 * \UHHHHHHHH}. As in llama.cpp, a rule ends at a newline, except inside parentheses or right after
 * {@code |}. A name defined twice adds alternatives to the first definition.
 */
final class GbnfParser {
    private final String src;
    private int pos;
    private final Map<String, GrammarExpr> rules = new LinkedHashMap<>();

    GbnfParser(String src) {
        this.src = src;
    }

    Map<String, GrammarExpr> rules() {
        skipSpace(true);
        while (pos < src.length()) {
            String name = name();
            skipSpace(false);
            if (!src.startsWith("::=", pos)) throw error("expected '::=' after rule name '" + name + "'");
            pos += 3;
            skipSpace(true);
            GrammarExpr body = alternatives(false);
            rules.merge(name, body, (a, b) -> new GrammarExpr.Choice(List.of(a, b)));
            if (pos < src.length() && src.charAt(pos) == '\r') pos++;
            if (pos < src.length() && src.charAt(pos) != '\n') throw error("expected the end of rule '" + name + "'");
            skipSpace(true);
        }
        if (rules.isEmpty()) throw new Glm4jException("grammar: it is empty");
        return rules;
    }

    private GrammarExpr alternatives(boolean nested) {
        List<GrammarExpr> alts = new ArrayList<>();
        alts.add(sequence(nested));
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            skipSpace(true);
            alts.add(sequence(nested));
        }
        return alts.size() == 1 ? alts.getFirst() : new GrammarExpr.Choice(alts);
    }

    private GrammarExpr sequence(boolean nested) {
        List<GrammarExpr> items = new ArrayList<>();
        while (pos < src.length()) {
            char c = src.charAt(pos);
            GrammarExpr item;
            if (c == '"') {
                pos++;
                item = literal();
            } else if (c == '[') {
                pos++;
                item = charClass();
            } else if (c == '.') {
                pos++;
                item = new GrammarExpr.CharClass(CodePoints.ALL);
            } else if (c == '(') {
                pos++;
                skipSpace(true);
                item = alternatives(true);
                if (pos >= src.length() || src.charAt(pos) != ')') throw error("expected ')'");
                pos++;
            } else if (isNameChar(c)) {
                item = new GrammarExpr.RuleRef(name());
            } else if (c == '<' || c == '!') {
                throw error("token references (<...>) are not supported");
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                if (items.isEmpty()) throw error("'" + c + "' must follow something to repeat");
                items.add(repeat(items.removeLast()));
                skipSpace(nested);
                continue;
            } else {
                break;
            }
            items.add(item);
            skipSpace(nested);
        }
        return items.size() == 1 ? items.getFirst() : new GrammarExpr.Sequence(items);
    }

    private GrammarExpr repeat(GrammarExpr body) {
        char op = src.charAt(pos++);
        return switch (op) {
            case '*' -> new GrammarExpr.Repeat(body, 0, GrammarExpr.Repeat.UNBOUNDED);
            case '+' -> new GrammarExpr.Repeat(body, 1, GrammarExpr.Repeat.UNBOUNDED);
            case '?' -> new GrammarExpr.Repeat(body, 0, 1);
            default -> {
                skipSpace(false);
                int min = number(0);
                int max = min;
                skipSpace(false);
                if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                    skipSpace(false);
                    max = pos < src.length() && Character.isDigit(src.charAt(pos)) ? number(-1) : GrammarExpr.Repeat.UNBOUNDED;
                    skipSpace(false);
                }
                if (pos >= src.length() || src.charAt(pos) != '}') throw error("expected '}'");
                pos++;
                if (max != GrammarExpr.Repeat.UNBOUNDED && max < min) throw error("repetition {" + min + "," + max + "} has max < min");
                yield new GrammarExpr.Repeat(body, min, max);
            }
        };
    }

    private int number(int missing) {
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
        if (start == pos) {
            if (missing >= 0) return missing;
            throw error("expected a number");
        }
        try {
            return Integer.parseInt(src.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("repetition count too large");
        }
    }

    private GrammarExpr literal() {
        StringBuilder text = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw error("unterminated string literal");
            if (src.charAt(pos) == '"') {
                pos++;
                return new GrammarExpr.Literal(text.toString());
            }
            text.appendCodePoint(character());
        }
    }

    private GrammarExpr charClass() {
        boolean negated = pos < src.length() && src.charAt(pos) == '^';
        if (negated) pos++;
        List<Integer> ranges = new ArrayList<>();
        while (true) {
            if (pos >= src.length()) throw error("unterminated character class");
            if (src.charAt(pos) == ']') {
                pos++;
                break;
            }
            int lo = character();
            int hi = lo;
            if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                pos++;
                hi = character();
                if (hi < lo) throw error("character range is backwards");
            }
            ranges.add(lo);
            ranges.add(hi);
        }
        CodePoints set = CodePoints.of(ranges.stream().mapToInt(Integer::intValue).toArray());
        return new GrammarExpr.CharClass(negated ? set.complement() : set);
    }

    /** One possibly escaped character of a literal or class. */
    private int character() {
        int c = src.codePointAt(pos);
        if (c != '\\') {
            pos += Character.charCount(c);
            return c;
        }
        if (pos + 1 >= src.length()) throw error("unfinished escape");
        char e = src.charAt(pos + 1);
        pos += 2;
        return switch (e) {
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case '\\', '"', '[', ']', '-', '^' -> e;
            default -> throw error("unknown escape '\\" + e + "'");
        };
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw error("unfinished hex escape");
        try {
            int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            if (v > CodePoints.MAX || v < 0) throw error("code point out of range");
            return v;
        } catch (NumberFormatException e) {
            throw error("bad hex escape");
        }
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isNameChar(src.charAt(pos))) pos++;
        if (start == pos) throw error("expected a rule name");
        return src.substring(start, pos);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private void skipSpace(boolean newlines) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                pos++;
            } else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') pos++;
            } else {
                return;
            }
        }
    }

    private Glm4jException error(String message) {
        int line = 1, column = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new Glm4jException("grammar: line " + line + ", column " + column + ": " + message);
    }
}
