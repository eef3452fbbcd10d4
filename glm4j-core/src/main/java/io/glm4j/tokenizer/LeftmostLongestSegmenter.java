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
            Trie match = trie.longestAt(text, pos);
            if (match == null) {
                pos++;
                continue;
            }
            AddedToken token = match.token;
            int start = pos;
            int stop = pos + match.depth; // a normalized token's match can be longer or shorter than its content
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

    /** Unicode regex {@code \w} (UTS #18, as Rust's regex): alphabetic, mark, decimal digit, connector, joiner. */
    private static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Unicode White_Space, as Rust's {@code char::is_whitespace} and regex {@code \s}. */
    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** Prefix tree over the strings to find, by UTF-16 unit; a node that ends one holds its token. */
    private static final class Trie {
        private final Map<Character, Trie> children = new HashMap<>();
        private final int depth;
        private AddedToken token;

        Trie() {
            this(0);
        }

        private Trie(int depth) {
            this.depth = depth;
        }

        void add(String key, AddedToken added) {
            Trie node = this;
            for (int i = 0; i < key.length(); i++) {
                Trie child = node.children.get(key.charAt(i));
                if (child == null) {
                    child = new Trie(node.depth + 1);
                    node.children.put(key.charAt(i), child);
                }
                node = child;
            }
            if (node.token == null) {
                node.token = added;
            }
        }

        /** The node of the longest key starting at {@code pos}, or null. */
        Trie longestAt(String text, int pos) {
            Trie found = null;
            Trie node = this;
            for (int i = pos; i < text.length(); i++) {
                node = node.children.get(text.charAt(i));
                if (node == null) {
                    break;
                }
                if (node.token != null) {
                    found = node;
                }
            }
            return found;
        }
    }
}
