package io.glm4j.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Hugging Face's added-token matching: scanning left to right, the leftmost occurrence of any added
 * token wins, the longest one where several start there. Tokens flagged {@code normalized} are
 * looked for in a second pass over the normalized text between the first pass's matches. With
 * special parsing off, special tokens are found but left as plain text (HF's
 * {@code encode_special_tokens}); the scan still resumes after them.
 */
final class LeftmostLongestSegmenter implements Segmenter {
    private final Trie raw;
    private final Trie normalizedTrie;
    private final UnaryOperator<String> normalizer;

    LeftmostLongestSegmenter(List<AddedToken> tokens, UnaryOperator<String> normalizer) {
        this.normalizer = normalizer;
        this.raw = new Trie();
        this.normalizedTrie = new Trie();
        for (AddedToken token : tokens) {
            if (token.content().isEmpty()) {
                continue;
            }
            if (token.normalized()) {
                normalizedTrie.add(normalizer.apply(token.content()), token);
            } else {
                raw.add(token.content(), token);
            }
        }
    }

    @Override
    public void segment(String text, boolean parseSpecial, Sink sink) {
        find(raw, text, parseSpecial, new Sink() {
            @Override
            public void text(String plain) {
                find(normalizedTrie, normalizer.apply(plain), parseSpecial, sink);
            }

            @Override
            public void token(int id) {
                sink.token(id);
            }
        });
    }

    private static void find(Trie trie, String text, boolean parseSpecial, Sink sink) {
        int emitted = 0;
        int pos = 0;
        while (pos < text.length()) {
            AddedToken token = trie.longestAt(text, pos);
            if (token == null) {
                pos++;
                continue;
            }
            int start = pos;
            int stop = pos + token.content().length();
            pos = stop;
            if (token.special() && !parseSpecial) {
                continue;
            }
            if (token.singleWord() && (endsWithWordChar(text, start) || startsWithWordChar(text, stop))) {
                continue;
            }
            if (token.lstrip()) {
                while (start > emitted && isWhitespace(text.codePointBefore(start))) {
                    start -= Character.charCount(text.codePointBefore(start));
                }
            }
            if (token.rstrip()) {
                while (stop < text.length() && isWhitespace(text.codePointAt(stop))) {
                    stop += Character.charCount(text.codePointAt(stop));
                }
                pos = stop;
            }
            if (start > emitted) {
                sink.text(text.substring(emitted, start));
            }
            sink.token(token.id());
            emitted = stop;
        }
        if (emitted < text.length()) {
            sink.text(text.substring(emitted));
        }
    }

    private static boolean endsWithWordChar(String text, int at) {
        return at > 0 && isWordChar(text.codePointBefore(at));
    }

    private static boolean startsWithWordChar(String text, int at) {
        return at < text.length() && isWordChar(text.codePointAt(at));
    }

    /** Regex {@code \w}: letter, mark, digit or connector punctuation. */
    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.CONNECTOR_PUNCTUATION
                || Character.getType(cp) == Character.NON_SPACING_MARK
                || Character.getType(cp) == Character.COMBINING_SPACING_MARK
                || Character.getType(cp) == Character.ENCLOSING_MARK;
    }

    /** Unicode White_Space, as Rust's {@code char::is_whitespace} and regex {@code \s}. */
    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** Prefix tree over token contents, by UTF-16 unit. */
    private static final class Trie {
        private final Map<Character, Trie> children = new HashMap<>();
        private AddedToken token;

        void add(String content, AddedToken added) {
            Trie node = this;
            for (int i = 0; i < content.length(); i++) {
                node = node.children.computeIfAbsent(content.charAt(i), c -> new Trie());
            }
            if (node.token == null) {
                node.token = added;
            }
        }

        AddedToken longestAt(String text, int pos) {
            AddedToken found = null;
            Trie node = this;
            for (int i = pos; i < text.length(); i++) {
                node = node.children.get(text.charAt(i));
                if (node == null) {
                    break;
                }
                if (node.token != null) {
                    found = node.token;
                }
            }
            return found;
        }
    }
}
