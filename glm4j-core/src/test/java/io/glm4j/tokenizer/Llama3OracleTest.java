package io.glm4j.tokenizer;

/** Llama 3's tokenizer.json: the same pre-tokenizer regex as GLM-4.5, ignore_merges, 128k tokens. */
class Llama3OracleTest extends RealVocabularyOracleTest {
    Llama3OracleTest() {
        super(TOKENIZERS.resolve("llama3/tokenizer.json"), 20250801L, false);
    }
}
