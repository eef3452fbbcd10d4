package io.glm4j.model.synth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain byte-level BPE trainer: split a text into words with (an approximation of) the GLM-4
 * pre-tokenizer, spell each word in GPT-2's byte symbols, and repeatedly merge the most frequent
 * adjacent pair (ties to the lexicographically smallest), as the shared fixture's vocabulary was made.
 */
final class BpeTrainer {
    /** llama.cpp's CHATGLM4 pre-tokenizer regex. */
    private static final Pattern WORDS = Pattern.compile(
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private BpeTrainer() {}

    /** Up to {@code count} merges ("a b"), stopping early when no pair occurs twice. */
    static List<String> train(String text, int count) {
        Map<String, Integer> frequency = new LinkedHashMap<>();
        Matcher m = WORDS.matcher(text);
        while (m.find()) frequency.merge(m.group(), 1, Integer::sum);
        List<List<String>> words = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        frequency.forEach((word, n) -> {
            List<String> symbols = new ArrayList<>();
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) symbols.add(ByteSymbols.symbol(b & 0xFF));
            words.add(symbols);
            weights.add(n);
        });
        List<String> merges = new ArrayList<>();
        while (merges.size() < count) {
            Map<String, Integer> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) pairs.merge(s.get(i) + " " + s.get(i + 1), weights.get(w), Integer::sum);
            }
            String best = null;
            int bestCount = 1;
            for (var e : pairs.entrySet()) {
                if (e.getValue() > bestCount || e.getValue() == bestCount && best != null && e.getKey().compareTo(best) < 0) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) break;
            merges.add(best);
            String left = best.substring(0, best.indexOf(' ')), right = best.substring(best.indexOf(' ') + 1);
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(left) && s.get(i + 1).equals(right)) {
                        s.set(i, left + right);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }
}
