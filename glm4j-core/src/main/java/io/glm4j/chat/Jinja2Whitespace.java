package io.glm4j.chat;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Applies jinja2's whitespace rules to a template's source, the way Hugging Face configures them
 * ({@code trim_blocks}, {@code lstrip_blocks}, {@code keep_trailing_newline=False}), and returns
 * an equivalent template with no whitespace control left for the engine to apply.
 *
 * <p>jinjava's own trimming differs from jinja2's (it keeps newlines that jinja2 removes around
 * {@code -}-marked tags), and chat prompts must match to the byte. So the text between tags is
 * trimmed here, as jinja2's lexer does it, tag markers {@code -} and {@code +} are dropped, and
 * comments are removed:
 * <ul>
 *   <li>{@code {%-}, {@code {{-}, {@code {#-}: strip all whitespace before the tag;
 *       {@code -%}}, {@code -}}}, {@code -#}}: strip all whitespace after it.</li>
 *   <li>trim_blocks: the first newline after a block or comment tag is removed.</li>
 *   <li>lstrip_blocks: spaces and tabs from the start of a line up to a block or comment tag
 *       are removed. {@code +} turns either rule off for that tag.</li>
 * </ul>
 * Inside tags, string literals and brackets are skipped the way jinja2's lexer skips them, so a
 * {@code %}} inside a quoted string or a dict literal does not end the tag.
 */
final class Jinja2Whitespace {
    private final String src;
    private final StringBuilder out = new StringBuilder();
    private int pos;
    private boolean lineStarting = true;

    private Jinja2Whitespace(String src) {
        this.src = src;
    }

    static String apply(String template) {
        return new Jinja2Whitespace(normalizeNewlines(template)).run();
    }

    /** jinja2 reads \r\n and \r as \n, and drops one newline at the very end. */
    private static String normalizeNewlines(String s) {
        String normalized = s.replace("\r\n", "\n").replace('\r', '\n');
        return normalized.endsWith("\n") ? normalized.substring(0, normalized.length() - 1) : normalized;
    }

    private String run() {
        while (pos < src.length()) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                out.append(src, pos, src.length());
                break;
            }
            char kind = src.charAt(tag + 1);
            char sign = tag + 2 < src.length() ? src.charAt(tag + 2) : 0;
            boolean hasSign = sign == '-' || sign == '+';
            out.append(trimBefore(src.substring(pos, tag), kind, hasSign ? sign : 0));
            int bodyStart = tag + 2 + (hasSign ? 1 : 0);
            switch (kind) {
                case '#' -> comment(bodyStart);
                case '{' -> tag(bodyStart, "{{", "}}");
                default -> {
                    if (!raw(bodyStart)) {
                        tag(bodyStart, "{%", "%}");
                    }
                }
            }
        }
        return out.toString();
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char next = src.charAt(i + 1);
            if (next == '%' || next == '{' || next == '#') {
                return i;
            }
        }
        return -1;
    }

    private String trimBefore(String text, char kind, char sign) {
        if (sign == '-') {
            return PythonStrings.rstrip(text, null);
        }
        if (sign == '+' || kind == '{') {
            return text;
        }
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting) && lineStart < text.length() && allSpace(text, lineStart)) {
            return text.substring(0, lineStart);
        }
        return text;
    }

    private static boolean allSpace(String s, int from) {
        return s.substring(from).codePoints().allMatch(PythonStrings::isSpace);
    }

    private void comment(int bodyStart) {
        int end = bodyStart;
        while (end < src.length() && !src.startsWith("#}", end)
                && !src.startsWith("-#}", end) && !src.startsWith("+#}", end)) {
            end++;
        }
        if (end >= src.length()) {
            throw new IllegalArgumentException("Missing end of comment tag");
        }
        pos = afterEnd(end, "#}", true);
    }

    /** Copies one expression or statement tag, without its markers, and applies its end rule. */
    private void tag(int bodyStart, String open, String close) {
        Deque<Character> brackets = new ArrayDeque<>();
        int i = bodyStart;
        while (true) {
            if (i >= src.length()) {
                throw new IllegalArgumentException("unexpected end of template, expected '" + close + "'");
            }
            if (brackets.isEmpty() && (src.startsWith(close, i)
                    || (src.startsWith(close, i + 1) && (src.charAt(i) == '-' || (src.charAt(i) == '+' && open.equals("{%")))))) {
                break;
            }
            char c = src.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(src, i);
                continue;
            }
            switch (c) {
                case '(' -> brackets.push(')');
                case '[' -> brackets.push(']');
                case '{' -> brackets.push('}');
                case ')', ']', '}' -> {
                    if (!brackets.isEmpty() && brackets.peek() == c) {
                        brackets.pop();
                    }
                }
                default -> { }
            }
            i++;
        }
        out.append(open).append(separateClosingBraces(src.substring(bodyStart, i))).append(close);
        pos = afterEnd(i, close, open.equals("{%"));
    }

    /**
     * jinjava ends an expression at the first {@code }}} outside quotes, even inside a dict
     * literal; a space between closing braces (and before the tag's own end) keeps the meaning.
     */
    private static String separateClosingBraces(String body) {
        StringBuilder out = new StringBuilder(body.length() + 2);
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(body, i);
                out.append(body, i, end);
                i = end;
                continue;
            }
            out.append(c);
            if (c == '}' && (i + 1 == body.length() || body.charAt(i + 1) == '}')) {
                out.append(' ');
            }
            i++;
        }
        return out.toString();
    }

    /** Position after the string literal whose opening quote is at {@code quoteAt}. */
    private static int stringEnd(String s, int quoteAt) {
        char quote = s.charAt(quoteAt);
        int i = quoteAt + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' ? 2 : 1;
        }
        return Math.min(i + 1, s.length());
    }

    /**
     * Position after an end marker at {@code at} (which may start with - or +), having applied
     * -'s strip-all or trim_blocks' single newline; records whether the next text starts a line.
     */
    private int afterEnd(int at, String close, boolean trimsNewline) {
        char sign = src.charAt(at);
        int end = at + close.length() + (sign == '-' || sign == '+' ? 1 : 0);
        if (sign == '-') {
            while (end < src.length() && PythonStrings.isSpace(src.codePointAt(end))) {
                end += Character.charCount(src.codePointAt(end));
            }
        } else if (sign != '+' && trimsNewline && end < src.length() && src.charAt(end) == '\n') {
            end++;
        }
        lineStarting = end > 0 && src.charAt(end - 1) == '\n';
        return end;
    }

    /**
     * {@code {% raw %}…{% endraw %}}: the inside is copied as it is (jinja2 applies no trim_blocks
     * after the opening tag), the closing tag follows the usual rules.
     */
    private boolean raw(int bodyStart) {
        int i = skipSpaces(bodyStart);
        if (!src.startsWith("raw", i)) {
            return false;
        }
        i = skipSpaces(i + 3);
        int contentStart;
        if (src.startsWith("-%}", i)) {
            contentStart = skipSpaces(i + 3);
        } else if (src.startsWith("%}", i)) {
            contentStart = i + 2;
        } else {
            return false;
        }
        int search = contentStart;
        while (true) {
            int endTag = src.indexOf("{%", search);
            if (endTag < 0) {
                throw new IllegalArgumentException("Missing end of raw directive");
            }
            char sign = endTag + 2 < src.length() ? src.charAt(endTag + 2) : 0;
            int j = skipSpaces(endTag + 2 + (sign == '-' || sign == '+' ? 1 : 0));
            if (src.startsWith("endraw", j)) {
                int k = skipSpaces(j + 6);
                if (src.startsWith("%}", k) || src.startsWith("-%}", k) || src.startsWith("+%}", k)) {
                    lineStarting = contentStart > 0 && src.charAt(contentStart - 1) == '\n';
                    String inside = trimBefore(src.substring(contentStart, endTag), '%',
                            sign == '-' || sign == '+' ? sign : 0);
                    out.append("{% raw %}").append(inside).append("{% endraw %}");
                    pos = afterEnd(k, "%}", true);
                    return true;
                }
            }
            search = endTag + 2;
        }
    }

    private int skipSpaces(int i) {
        while (i < src.length() && PythonStrings.isSpace(src.charAt(i))) {
            i++;
        }
        return i;
    }
}
