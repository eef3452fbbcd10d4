package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteLevelTest {

    @Test
    void theFirst256TokensOfAGlmVocabularyAreTheBytesInGpt2Order() {
        // GLM's vocabulary, like GPT-2's, starts with the 256 byte symbols: "!" = 0, "\n" = 198, " " = 220
        Tokenizer glm = TinyGlm.TOKENIZER;
        Set<Integer> bytes = new HashSet<>();
        for (int id = 0; id < 256; id++) {
            byte[] piece = glm.tokenBytes(id);
            assertThat(piece).hasSize(1);
            assertThat(String.valueOf(ByteLevel.charOf(piece[0] & 0xFF))).isEqualTo(glm.tokenText(id));
            bytes.add(piece[0] & 0xFF);
        }
        assertThat(bytes).hasSize(256);
        assertThat(glm.tokenBytes(0)).containsExactly('!');
        assertThat(glm.tokenBytes(198)).containsExactly('\n');
        assertThat(glm.tokenBytes(220)).containsExactly(' ');
    }

    @Test
    void spellingRoundTripsEveryByte() {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }
        String spelled = ByteLevel.encode(all, 0, all.length);
        assertThat(spelled.chars().distinct().count()).isEqualTo(256);
        assertThat(ByteLevel.decode(spelled)).isEqualTo(all);
        assertThat(ByteLevel.encode(new byte[] {' ', '\n', (byte) 0xAD}, 0, 3)).isEqualTo("ĠĊŃ");
    }

    @Test
    void aCharacterOutsideTheMappingStandsForItsUtf8() {
        assertThat(ByteLevel.decode("中")).containsExactly(0xE4, 0xB8, 0xAD);
    }
}
