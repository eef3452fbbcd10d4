package io.glm4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * llama.cpp's added-token matching: tokens are tried longest first (by UTF-8 length), each one
 * splitting every remaining plain-text fragment at all of its occurrences, left to right. Special
 * (CONTROL) tokens take part only when special parsing is on; USER_DEFINED ones always do.
 */
final class LongestFirstSegmenter implements Segmenter {
    private final List<AddedToken> tokens;

    LongestFirstSegmenter(List<AddedToken> tokens) {
        this.tokens = tokens.stream()
                .filter(t -> !t.content().isEmpty())
                .sorted(Comparator.comparingInt((AddedToken t) -> -t.content().getBytes(StandardCharsets.UTF_8).length)
                        .thenComparingInt(AddedToken::id))
                .toList();
    }

    @Override
    public void segment(String text, boolean parseSpecial, Sink sink) {
        List<Object> fragments = new ArrayList<>(); // String = plain text, Integer = token id
        fragments.add(text);
        for (AddedToken token : tokens) {
            if (token.special() && !parseSpecial) {
                continue;
            }
            fragments = splitAll(fragments, token);
        }
        for (Object fragment : fragments) {
            if (fragment instanceof String plain) {
                sink.text(plain);
            } else {
                sink.token((Integer) fragment);
            }
        }
    }

    private static List<Object> splitAll(List<Object> fragments, AddedToken token) {
        String content = token.content();
        List<Object> out = new ArrayList<>(fragments.size());
        for (Object fragment : fragments) {
            if (!(fragment instanceof String plain) || !plain.contains(content)) {
                out.add(fragment);
                continue;
            }
            int from = 0;
            for (int at = plain.indexOf(content); at >= 0; at = plain.indexOf(content, from)) {
                if (at > from) {
                    out.add(plain.substring(from, at));
                }
                out.add(token.id());
                from = at + content.length();
            }
            if (from < plain.length()) {
                out.add(plain.substring(from));
            }
        }
        return out;
    }
}
