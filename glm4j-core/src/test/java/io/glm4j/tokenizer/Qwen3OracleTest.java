package io.glm4j.tokenizer;

/** Qwen3's tokenizer.json: single-digit numbers, an NFC normalizer, non-special added tokens, 151k tokens. */
class Qwen3OracleTest extends RealVocabularyOracleTest {
    Qwen3OracleTest() {
        super(TOKENIZERS.resolve("qwen3/tokenizer.json"), 31415926L, true);
    }
}
