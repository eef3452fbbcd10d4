package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    private final Tokenizer glm = TinyGlm.TOKENIZER;

    private int byteToken(int unsignedByte) {
        return glm.tokenId(String.valueOf(ByteLevel.charOf(unsignedByte))).orElseThrow();
    }

    @Test
    void holdsBackACharacterUntilItsLastByteArrives() {
        // the tiny vocabulary has no emoji merges: 🚀 is four one-byte tokens
        int[] ids = glm.encode("🚀!", false);
        assertThat(ids).hasSize(5);
        StreamingDecoder decoder = glm.newStreamingDecoder();
        List<String> outputs = new ArrayList<>();
        for (int id : ids) {
            outputs.add(decoder.accept(id));
        }
        assertThat(outputs).containsExactly("", "", "", "🚀", "!");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void streamedTextEqualsTheWholeDecodeOnTheCorpus() {
        for (String text : TextCorpus.generate(99, 400, List.of("<think>", "<|user|>"))) {
            int[] ids = glm.encode(text, true);
            StreamingDecoder decoder = glm.newStreamingDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String part = decoder.accept(id);
                assertThat(part.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)).isTrue(); // whole characters only
                streamed.append(part);
            }
            streamed.append(decoder.flush());
            assertThat(streamed.toString()).isEqualTo(text);
        }
    }

    @Test
    void anUnfinishedCharacterBecomesOneReplacementAtFlush() {
        StreamingDecoder decoder = glm.newStreamingDecoder();
        assertThat(decoder.accept(byteToken(0xF0))).isEmpty();
        assertThat(decoder.accept(byteToken(0x9F))).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(decoder.accept(byteToken('a'))).isEqualTo("a"); // usable again after a flush
    }

    @Test
    void bytesThatCanNeverFormACharacterComeOutAsTheyArrive() {
        int[] ids = {byteToken(0x80), byteToken('a'), byteToken(0xE2), byteToken('b'), byteToken(0xFF)};
        StreamingDecoder decoder = glm.newStreamingDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            streamed.append(decoder.accept(id));
        }
        assertThat(streamed.toString()).isEqualTo("\uFFFDa\uFFFDb\uFFFD");
        assertThat(streamed.toString()).isEqualTo(new String(glm.decode(ids), StandardCharsets.UTF_8));
        assertThat(decoder.flush()).isEmpty();
    }
}
