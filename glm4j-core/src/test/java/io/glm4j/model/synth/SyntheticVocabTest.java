package io.glm4j.model.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticVocabTest {

    @Test
    void glm45SizedVocabularyHasTheAddedTokensAtTheirRealIds() {
        SyntheticVocab v = SyntheticVocab.build(151329, 151552);

        assertThat(v.tokens()).hasSize(151552);
        // SPEC §5: <|endoftext|> 151329, [gMASK] 151331, <|user|> 151336, <|observation|> 151338, <|video|> 151364.
        assertThat(v.id("<|endoftext|>")).isEqualTo(151329);
        assertThat(v.id("[gMASK]")).isEqualTo(151331);
        assertThat(v.id("<|user|>")).isEqualTo(151336);
        assertThat(v.id("<|observation|>")).isEqualTo(151338);
        assertThat(v.id("<think>")).isEqualTo(151350);
        assertThat(v.id("<|video|>")).isEqualTo(151364);
        assertThat(v.tokens().get(151365)).isEqualTo("[PAD151365]");
        assertThat(v.types()[151329]).isEqualTo(SyntheticVocab.CONTROL);
        assertThat(v.types()[151350]).isEqualTo(SyntheticVocab.USER_DEFINED);
        assertThat(v.types()[151551]).isEqualTo(SyntheticVocab.UNUSED);
        assertThat(v.merges()).hasSize(151329 - 256);
        assertIsAByteLevelBpeVocabulary(v, 151329);
    }

    @Test
    void tinyVocabularyLearnsWordPiecesFromText() {
        SyntheticVocab v = SyntheticVocab.build(568, 640);

        assertThat(v.tokens().get(0)).isEqualTo("!");
        assertThat(v.tokens().get(255)).isEqualTo("\u0143"); // byte 0xAD, the last one GPT-2 remaps
        assertThat(v.tokens().subList(256, 568)).contains("Ġthe", "Ġmodel", "content");
        assertIsAByteLevelBpeVocabulary(v, 568);
    }

    /** Unique tokens; each merge joins two earlier tokens into the token with the next id. */
    private static void assertIsAByteLevelBpeVocabulary(SyntheticVocab v, int normalTokens) {
        assertThat(new HashSet<>(v.tokens())).hasSize(v.tokens().size());
        Set<String> seen = new HashSet<>(v.tokens().subList(0, 256));
        List<String> merges = v.merges();
        for (int i = 0; i < merges.size(); i++) {
            String[] parts = merges.get(i).split(" ");
            assertThat(parts).hasSize(2);
            // plain checks inside the loop: AssertJ's contains() would scan the set linearly
            if (!seen.contains(parts[0]) || !seen.contains(parts[1]) || !v.tokens().get(256 + i).equals(parts[0] + parts[1])) {
                throw new AssertionError("merge " + i + " '" + merges.get(i) + "' does not join two earlier tokens into token " + (256 + i));
            }
            seen.add(parts[0] + parts[1]);
        }
        assertThat(256 + merges.size()).isEqualTo(normalTokens);
    }
}
