package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The merge loop on hand-made vocabularies small enough to follow by hand. */
class BytePairEncoderTest {
    private static final Map<String, Integer> VOCAB = vocabulary("a", "b", "c", "aa", "ab", "bc", "abc", "aaaa");

    private static Map<String, Integer> vocabulary(String... tokens) {
        Map<String, Integer> vocab = new HashMap<>();
        for (String token : tokens) {
            vocab.put(token, vocab.size());
        }
        return vocab;
    }

    private static int[] encode(String word, boolean ignoreMerges, String... merges) {
        List<String[]> pairs = java.util.Arrays.stream(merges).map(m -> m.split(" ")).toList();
        BytePairEncoder bpe = new BytePairEncoder(VOCAB, MergeTable.fromPairs(pairs, VOCAB), ignoreMerges, -1);
        IdSink out = new IdSink();
        bpe.encode(word.getBytes(StandardCharsets.UTF_8), out);
        return out.toArray();
    }

    private static int id(String token) {
        return VOCAB.get(token);
    }

    @Test
    void lowestRankMergesFirst() {
        assertThat(encode("abc", false, "b c", "a b")).containsExactly(id("a"), id("bc"));
        assertThat(encode("abc", false, "a b", "b c", "ab c")).containsExactly(id("abc"));
    }

    @Test
    void equalPairsMergeLeftmostFirst() {
        assertThat(encode("aaa", false, "a a")).containsExactly(id("aa"), id("a"));
        assertThat(encode("aaaaa", false, "a a", "aa aa")).containsExactly(id("aaaa"), id("a"));
    }

    @Test
    void ignoreMergesEmitsAWholeVocabularyWordDirectly() {
        assertThat(encode("abc", false)).containsExactly(id("a"), id("b"), id("c"));
        assertThat(encode("abc", true)).containsExactly(id("abc"));
    }

    @Test
    void bytesWithoutATokenAreDroppedWhenThereIsNoUnknownToken() {
        assertThat(encode("axb", false, "a b")).containsExactly(id("a"), id("b"));
    }
}
