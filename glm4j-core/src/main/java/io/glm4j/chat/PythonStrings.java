package io.glm4j.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python's {@code str} methods, with Python's semantics, for chat templates written against jinja2.
 * Java's look-alikes differ: {@code String.split} takes a regex and drops trailing empty parts,
 * {@code String.strip} keeps U+00A0, U+2007 and U+202F. Strings are handled as code points.
 */
final class PythonStrings {
    private PythonStrings() {}

    /** Python's {@code str.isspace} for one code point (also what {@code \s} matches in Python's re). */
    static boolean isSpace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0B, 0x0C, '\r', 0x1C, 0x1D, 0x1E, 0x1F, ' ', 0x85, 0xA0, 0x1680,
                 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }

    static String strip(String s, String chars) {
        return rstrip(lstrip(s, chars), chars);
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (!stripped(c, chars)) {
                break;
            }
            i += Character.charCount(c);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0) {
            int c = s.codePointBefore(end);
            if (!stripped(c, chars)) {
                break;
            }
            end -= Character.charCount(c);
        }
        return s.substring(0, end);
    }

    private static boolean stripped(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(Character.toString(c)) >= 0;
    }

    /** {@code s.split(sep, maxsplit)}; a null separator splits on runs of whitespace; maxsplit < 0 means no limit. */
    static List<String> split(String s, String sep, int maxsplit) {
        if (sep == null) {
            return splitWhitespace(s, maxsplit);
        }
        requireSeparator(sep);
        List<String> parts = new ArrayList<>();
        int start = 0;
        int at;
        while ((maxsplit < 0 || parts.size() < maxsplit) && (at = s.indexOf(sep, start)) >= 0) {
            parts.add(s.substring(start, at));
            start = at + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** {@code s.rsplit(sep, maxsplit)}: like split, but the splits are counted from the right. */
    static List<String> rsplit(String s, String sep, int maxsplit) {
        if (sep == null) {
            return rsplitWhitespace(s, maxsplit);
        }
        requireSeparator(sep);
        List<String> parts = new ArrayList<>();
        int end = s.length();
        int at;
        while ((maxsplit < 0 || parts.size() < maxsplit) && end >= sep.length()
                && (at = s.lastIndexOf(sep, end - sep.length())) >= 0) {
            parts.addFirst(s.substring(at + sep.length(), end));
            end = at;
        }
        parts.addFirst(s.substring(0, end));
        return parts;
    }

    private static void requireSeparator(String sep) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
    }

    private static List<String> splitWhitespace(String s, int maxsplit) {
        List<String> parts = new ArrayList<>();
        int i = skipSpace(s, 0);
        while (i < s.length()) {
            if (maxsplit >= 0 && parts.size() == maxsplit) {
                parts.add(s.substring(i));
                return parts;
            }
            int end = i;
            while (end < s.length() && !isSpace(s.codePointAt(end))) {
                end += Character.charCount(s.codePointAt(end));
            }
            parts.add(s.substring(i, end));
            i = skipSpace(s, end);
        }
        return parts;
    }

    private static List<String> rsplitWhitespace(String s, int maxsplit) {
        List<String> parts = new ArrayList<>();
        int end = rstrip(s, null).length();
        while (end > 0) {
            if (maxsplit >= 0 && parts.size() == maxsplit) {
                parts.addFirst(s.substring(0, end));
                return parts;
            }
            int start = end;
            while (start > 0 && !isSpace(s.codePointBefore(start))) {
                start -= Character.charCount(s.codePointBefore(start));
            }
            parts.addFirst(s.substring(start, end));
            end = rstrip(s.substring(0, start), null).length();
        }
        return parts;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && isSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return i;
    }

    /** {@code s.startswith(prefix)} where prefix is a string or a tuple (list) of strings. */
    static boolean startsWith(String s, Object prefix) {
        if (prefix instanceof List<?> options) {
            return options.stream().anyMatch(p -> s.startsWith(String.valueOf(p)));
        }
        return s.startsWith(String.valueOf(prefix));
    }

    /** {@code s.endswith(suffix)} where suffix is a string or a tuple (list) of strings. */
    static boolean endsWith(String s, Object suffix) {
        if (suffix instanceof List<?> options) {
            return options.stream().anyMatch(p -> s.endsWith(String.valueOf(p)));
        }
        return s.endsWith(String.valueOf(suffix));
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
