package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.gguf.GgufFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The tokenizer built from the tiny GLM-4.5-Air GGUF's metadata against llama.cpp's own output. */
class GgufTokenizerTest {
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        try (GgufFile gguf = GgufFile.open(LlamaCppGoldens.FIXTURES.resolve("tiny-glm45air-F32.gguf"))) {
            tokenizer = Tokenizer.fromGgufMetadata(gguf.metadata());
        }
    }

    static List<LlamaCppGoldens> goldens() throws IOException {
        return LlamaCppGoldens.load();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void encodesLikeLlamaCpp(LlamaCppGoldens golden) {
        assertThat(tokenizer.encode(golden.text(), true)).as("parse_special").containsExactly(golden.parseSpecial().ids());
        assertThat(tokenizer.encode(golden.text(), false)).as("no_parse_special").containsExactly(golden.noParseSpecial().ids());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void decodesLikeLlamaCpp(LlamaCppGoldens golden) {
        for (LlamaCppGoldens.Result result : List.of(golden.parseSpecial(), golden.noParseSpecial())) {
            List<byte[]> pieces = new ArrayList<>();
            for (int id : result.ids()) {
                pieces.add(tokenizer.tokenBytes(id));
            }
            assertThat(pieces).containsExactlyElementsOf(result.pieces());
            assertThat(tokenizer.decode(result.ids())).isEqualTo(result.detokenized());
        }
    }

    @Test
    void chatPromptOfTheModelGoldens() {
        // prompt "chat_35" of tiny-glm45air-F32.golden.json, tokenized by llama.cpp with special parsing
        String prompt = "[gMASK]<sop><|system|>\nYou are a helpful assistant.<|user|>\nWhat is free software?"
                + "<|assistant|>\n<think></think>\n";
        assertThat(tokenizer.encode(prompt, true)).containsExactly(570, 572, 574, 198, 368, 474, 259, 406, 68, 75,
                79, 69, 84, 75, 391, 82, 269, 83, 405, 13, 575, 198, 54, 71, 281, 340, 286, 433, 502, 30, 576, 198,
                589, 590, 198);
    }

    @Test
    void englishPromptOfTheModelGoldensRoundTrips() {
        // prompt "english_31": llama.cpp's ids; decoding them gives the text they were made from
        int[] ids = {51, 71, 68, 410, 559, 540, 516, 327, 340, 259, 286, 433, 11, 383, 316, 69, 83, 436, 336, 502,
                312, 419, 220, 74, 263, 67, 82, 275, 346, 82, 13};
        assertThat(tokenizer.encode(tokenizer.decodeToString(ids), true)).containsExactly(ids);
    }

    @Test
    void vocabularyShapeAndRoles() {
        assertThat(tokenizer.vocabularySize()).isEqualTo(640);
        assertThat(tokenizer.tokenType(0)).isEqualTo(TokenType.NORMAL);
        assertThat(tokenizer.tokenType(568)).isEqualTo(TokenType.CONTROL);
        assertThat(tokenizer.tokenType(589)).isEqualTo(TokenType.USER_DEFINED);
        assertThat(tokenizer.tokenType(639)).isEqualTo(TokenType.UNUSED);
        assertThat(tokenizer.tokenBytes(639)).isEmpty();
        assertThat(tokenizer.tokenId("<|user|>")).hasValue(575);
        assertThat(tokenizer.tokenId("Ċ")).hasValue(198);
        SpecialTokenIds special = tokenizer.specialTokens();
        assertThat(special.bos()).hasValue(570);
        assertThat(special.eos()).hasValue(568);
        assertThat(special.eot()).hasValue(575);
        assertThat(special.eom()).hasValue(577);
        assertThat(special.endOfGeneration()).containsExactly(568, 575, 577);
    }

    @Test
    void vocabularyRecordCarriesTheGgufKeys() {
        Map<String, Object> metadata;
        try (GgufFile gguf = GgufFile.open(LlamaCppGoldens.FIXTURES.resolve("tiny-glm45air-F32.gguf"))) {
            metadata = gguf.metadata();
        }
        Vocabulary vocabulary = Vocabulary.fromGgufMetadata(metadata);
        assertThat(vocabulary.model()).isEqualTo("gpt2");
        assertThat(vocabulary.preTokenizer()).isEqualTo("glm4");
        assertThat(vocabulary.tokens()).hasSize(640).startsWith("!", "\"");
        assertThat(vocabulary.merges()).hasSize(312).startsWith("Ġ Ġ");
        assertThat(vocabulary.tokenTypes().get(599)).isEqualTo(TokenType.USER_DEFINED); // /nothink
    }
}
