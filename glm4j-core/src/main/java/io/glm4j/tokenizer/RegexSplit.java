package io.glm4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text around the matches of a regex, with Hugging Face's {@code Split} behaviours. The
 * pre-tokenizer regexes of byte-level BPE models use {@code \s}, {@code \p{L}}, {@code \p{N}} in
 * their Unicode sense, so patterns are compiled with {@link Pattern#UNICODE_CHARACTER_CLASS}:
 * without it Java's {@code \s} is ASCII-only and U+00A0, U+3000 etc. would split differently.
 */
final class RegexSplit implements PreTokenizer {

    /** What happens to the matches (delimiters) and the text between them. */
    enum Behavior {
        /** Matches and the text between them each become a piece. */
        ISOLATED,
        /** Matches are dropped. */
        REMOVED,
        /** Each match is appended to the piece before it. */
        MERGED_WITH_PREVIOUS,
        /** Each match is prepended to the piece after it. */
        MERGED_WITH_NEXT,
        /** Adjacent matches are joined into one piece. */
        CONTIGUOUS
    }

    /** GLM-4 / cl100k / Llama 3: contractions, letter runs, numbers of up to three digits, ... */
    static final String CL100K = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2/Qwen3: as {@link #CL100K} but every digit is its own piece. */
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** GPT-2's regex, used by the ByteLevel pre-tokenizer when {@code use_regex} is true. */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private final Pattern pattern;
    private final Behavior behavior;
    private final boolean invert;

    RegexSplit(Pattern pattern, Behavior behavior, boolean invert) {
        this.pattern = pattern;
        this.behavior = behavior;
        this.invert = invert;
    }

    static RegexSplit isolating(String regex) {
        return new RegexSplit(compile(regex), Behavior.ISOLATED, false);
    }

    static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    @Override
    public void split(String text, Consumer<String> pieces) {
        if (behavior == Behavior.ISOLATED && !invert) {
            splitIsolated(text, pieces);
            return;
        }
        List<int[]> spans = spans(text); // {start, end, isMatch}
        List<int[]> merged = switch (behavior) {
            case ISOLATED -> spans;
            case REMOVED -> spans.stream().filter(s -> s[2] == 0).toList();
            case MERGED_WITH_PREVIOUS -> mergeWithPrevious(spans);
            case MERGED_WITH_NEXT -> mergeWithNext(spans);
            case CONTIGUOUS -> contiguous(spans);
        };
        for (int[] span : merged) {
            if (span[1] > span[0]) {
                pieces.accept(text.substring(span[0], span[1]));
            }
        }
    }

    /** The common case without intermediate lists: pieces are the matches and the gaps between. */
    private void splitIsolated(String text, Consumer<String> pieces) {
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (m.start() > last) {
                pieces.accept(text.substring(last, m.start()));
            }
            pieces.accept(text.substring(m.start(), m.end()));
            last = m.end();
        }
        if (last < text.length()) {
            pieces.accept(text.substring(last));
        }
    }

    private List<int[]> spans(String text) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int last = 0;
        int match = invert ? 0 : 1;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (m.start() > last) {
                spans.add(new int[] {last, m.start(), 1 - match});
            }
            spans.add(new int[] {m.start(), m.end(), match});
            last = m.end();
        }
        if (last < text.length()) {
            spans.add(new int[] {last, text.length(), 1 - match});
        }
        return spans;
    }

    private static List<int[]> mergeWithPrevious(List<int[]> spans) {
        List<int[]> out = new ArrayList<>();
        boolean previousMatch = false;
        for (int[] s : spans) {
            boolean isMatch = s[2] == 1;
            if (isMatch && !previousMatch && !out.isEmpty()) {
                out.getLast()[1] = s[1];
            } else {
                out.add(s.clone());
            }
            previousMatch = isMatch;
        }
        return out;
    }

    private static List<int[]> mergeWithNext(List<int[]> spans) {
        List<int[]> out = new ArrayList<>();
        boolean previousMatch = false;
        for (int i = spans.size() - 1; i >= 0; i--) {
            int[] s = spans.get(i);
            boolean isMatch = s[2] == 1;
            if (isMatch && !previousMatch && !out.isEmpty()) {
                out.getLast()[0] = s[0];
            } else {
                out.add(s.clone());
            }
            previousMatch = isMatch;
        }
        return out.reversed();
    }

    private static List<int[]> contiguous(List<int[]> spans) {
        List<int[]> out = new ArrayList<>();
        boolean previousMatch = false;
        for (int[] s : spans) {
            boolean isMatch = s[2] == 1;
            if (isMatch == previousMatch && !out.isEmpty()) {
                out.getLast()[1] = s[1];
            } else {
                out.add(s.clone());
            }
            previousMatch = isMatch;
        }
        return out;
    }
}
