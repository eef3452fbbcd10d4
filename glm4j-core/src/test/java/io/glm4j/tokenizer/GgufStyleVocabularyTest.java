package io.glm4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GGUF path (llama.cpp semantics) on the big Llama 3 and Qwen3 vocabularies, which we have
 * only as tokenizer.json: the test turns each into the {@code tokenizer.ggml.*} values that
 * llama.cpp's converter writes (tokens by id, added tokens CONTROL if special or shaped
 * {@code <|...|>}, else USER_DEFINED; merges as "a b"; pre {@code llama-bpe} / {@code qwen2}) and
 * compares with Hugging Face on text where the two libraries' rules coincide.
 */
class GgufStyleVocabularyTest {
    @TempDir
    static Path variants;

    @Test
    void llama3AsGgufEncodesLikeHuggingFace() throws IOException {
        compare("llama3", "llama-bpe", 808L, false);
    }

    @Test
    void qwen3AsGgufEncodesLikeHuggingFace() throws IOException {
        compare("qwen3", "qwen2", 909L, true);
    }

    private static void compare(String name, String pre, long seed, boolean nfc) throws IOException {
        Path json = RealVocabularyOracleTest.TOKENIZERS.resolve(name + "/tokenizer.json");
        Vocabulary vocabulary = asGguf(json, pre);
        Tokenizer gguf = Tokenizer.fromVocabulary(vocabulary);
        List<String> added = new ArrayList<>();
        for (int id = 0; id < vocabulary.tokens().size(); id++) {
            if (vocabulary.tokenTypes().get(id) != TokenType.NORMAL) {
                added.add(vocabulary.tokens().get(id));
            }
        }
        // llama.cpp does not apply tokenizer.json's NFC normalizer: compare on text that is already NFC
        List<String> corpus = TextCorpus.generate(seed, 3000, added).stream()
                .map(text -> nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text)
                .toList();
        Path controlAsText = TokenizerJsonVariants.write(json, variants, name, TokenizerJsonVariants.CONTROL_AS_TEXT);
        try (HuggingFaceOracle oracle = HuggingFaceOracle.load(json);
                HuggingFaceOracle plainOracle = HuggingFaceOracle.load(controlAsText)) {
            OracleComparison.assertSameIds(corpus, text -> gguf.encode(text, true), oracle::encode);
            OracleComparison.assertSameIds(corpus, text -> gguf.encode(text, false), plainOracle::encode);
        }
    }

    /** What convert_hf_to_gguf.py's byte-level BPE vocabulary export produces from a tokenizer.json. */
    private static Vocabulary asGguf(Path json, String pre) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        Map<Integer, String> byId = new HashMap<>();
        root.path("model").path("vocab").properties().forEach(e -> byId.put(e.getValue().asInt(), e.getKey()));
        Map<Integer, TokenType> addedTypes = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText();
            byId.put(t.path("id").asInt(), content);
            boolean control = t.path("special").asBoolean() || content.matches("<\\|.*\\|>");
            addedTypes.put(t.path("id").asInt(), control ? TokenType.CONTROL : TokenType.USER_DEFINED);
        }
        int size = Collections.max(byId.keySet()) + 1;
        List<String> tokens = new ArrayList<>(size);
        List<TokenType> types = new ArrayList<>(size);
        for (int id = 0; id < size; id++) {
            tokens.add(byId.getOrDefault(id, "[PAD" + id + "]"));
            types.add(byId.containsKey(id) ? addedTypes.getOrDefault(id, TokenType.NORMAL) : TokenType.UNUSED);
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : root.path("model").path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        return new Vocabulary("gpt2", pre, tokens, types, merges, SpecialTokenIds.NONE);
    }
}
