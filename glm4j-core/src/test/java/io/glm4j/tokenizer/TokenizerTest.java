package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    private static final Path LLAMA3 = RealVocabularyOracleTest.TOKENIZERS.resolve("llama3/tokenizer.json");
    private static final Tokenizer LLAMA = Tokenizer.fromHuggingFace(LLAMA3);

    @Test
    void loneSurrogatesEncodeAsReplacementCharacters() {
        // a Java string may hold unpaired surrogates, which have no UTF-8 form; we read them as U+FFFD
        for (String text : List.of("a\uD800b", "x\uDC00", "\uD83D", "ok \uDE80\uD83D end")) {
            String replaced = text.replaceAll("[\\uD800-\\uDFFF]", "\uFFFD");
            assertThat(LLAMA.encode(text, true)).containsExactly(LLAMA.encode(replaced, true));
            assertThat(LLAMA.decodeToString(LLAMA.encode(text, true))).isEqualTo(replaced);
        }
        try (HuggingFaceOracle oracle = HuggingFaceOracle.load(LLAMA3)) {
            assertThat(LLAMA.encode("a\uD800b", true)).containsExactly(oracle.encode("a\uFFFDb"));
            assertThat(LLAMA.encode("nul\u0000 in\u0000\u0000text", true)).containsExactly(oracle.encode("nul\u0000 in\u0000\u0000text"));
        }
    }

    @Test
    void specialTokensAreMatchedOnlyWhenAsked() {
        int eot = LLAMA.tokenId("<|eot_id|>").orElseThrow();
        assertThat(LLAMA.encode("hi<|eot_id|>", true)).endsWith(eot);
        assertThat(LLAMA.encode("hi<|eot_id|>", false)).doesNotContain(eot);
        assertThat(LLAMA.decodeToString(LLAMA.encode("hi<|eot_id|>", false))).isEqualTo("hi<|eot_id|>");
        assertThat(LLAMA.tokenType(eot)).isEqualTo(TokenType.CONTROL);
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() {
        assertThatThrownBy(() -> LLAMA.tokenBytes(LLAMA.vocabularySize())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LLAMA.tokenBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unsupportedGgufTokenizersAreRefusedByName() {
        Map<String, Object> spm = Map.of("tokenizer.ggml.model", "llama", "tokenizer.ggml.tokens", List.of("a"));
        assertThatThrownBy(() -> Tokenizer.fromGgufMetadata(spm)).isInstanceOf(Glm4jException.class).hasMessageContaining("'llama'");
        Map<String, Object> unknownPre = Map.of("tokenizer.ggml.model", "gpt2", "tokenizer.ggml.pre", "klingon",
                "tokenizer.ggml.tokens", List.of("a"), "tokenizer.ggml.merges", List.of());
        assertThatThrownBy(() -> Tokenizer.fromGgufMetadata(unknownPre)).isInstanceOf(Glm4jException.class).hasMessageContaining("klingon");
        assertThatThrownBy(() -> Tokenizer.fromGgufMetadata(Map.of("tokenizer.ggml.model", "gpt2")))
                .isInstanceOf(Glm4jException.class).hasMessageContaining("tokenizer.ggml.tokens");
    }

    @Test
    void unsupportedTokenizerJsonIsRefusedByName(@TempDir Path dir) {
        Path tiny = TinyGlmTokenizerJsonTest.TOKENIZER_JSON;
        Path fallback = TokenizerJsonVariants.write(tiny, dir, "fallback",
                root -> ((com.fasterxml.jackson.databind.node.ObjectNode) root.path("model")).put("byte_fallback", true));
        assertThatThrownBy(() -> Tokenizer.fromHuggingFace(fallback)).isInstanceOf(Glm4jException.class).hasMessageContaining("byte_fallback");
        Path metaspace = TokenizerJsonVariants.write(tiny, dir, "metaspace",
                root -> root.set("pre_tokenizer", TokenizerJsonVariants.node("{\"type\":\"Metaspace\"}")));
        assertThatThrownBy(() -> Tokenizer.fromHuggingFace(metaspace)).isInstanceOf(Glm4jException.class).hasMessageContaining("Metaspace");
        assertThatThrownBy(() -> Tokenizer.fromHuggingFace(dir.resolve("missing.json"))).isInstanceOf(Glm4jException.class);
    }

    /**
     * Long inputs must cost linear time: 1 MB of prose, and 1 MB runs that are a single pre-token
     * (one word, spaces, mixed whitespace, digits, emoji). The timeout only catches a quadratic blowup.
     */
    @Test
    @Timeout(300)
    void megabyteInputsComplete() {
        StringBuilder prose = new StringBuilder();
        Random random = new Random(1);
        String[] words = {"the", "model", "tokenizer", "is", "fast", "and", "linear,", "with", "merges.", "Hello", "GLM\n"};
        while (prose.length() < 1 << 20) {
            prose.append(words[random.nextInt(words.length)]).append(' ');
        }
        List<String> inputs = List.of(prose.toString(), "a".repeat(1 << 20), " ".repeat(1 << 20),
                " \t\n\r\u3000".repeat(1 << 18), "7".repeat(1 << 20), "🦙".repeat(1 << 18), "xyzzy ".repeat(1 << 17) + "!".repeat(1 << 19));
        for (String input : inputs) {
            int[] ids = LLAMA.encode(input, true);
            assertThat(ids).isNotEmpty();
            assertThat(LLAMA.decode(ids)).isEqualTo(input.getBytes(StandardCharsets.UTF_8));
        }
    }
}
