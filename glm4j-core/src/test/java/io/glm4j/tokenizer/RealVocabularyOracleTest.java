package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real big vocabulary of GLM-4.5's tokenizer family, loaded from its tokenizer.json, against the
 * Hugging Face tokenizers library on a generated corpus and a held-out one (subclasses name the file).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealVocabularyOracleTest {
    static final Path TOKENIZERS = Path.of("../shared/fixtures/tokenizers");
    static final int CORPUS_SIZE = 10_000;
    static final int HELD_OUT_SIZE = 2_000;

    private final Path file;
    private final long seed;
    private final boolean nfc;
    private Tokenizer tokenizer;
    private HuggingFaceOracle oracle;
    private List<String> addedTokens;

    /**
     * @param seed the corpus seed; the held-out corpus uses another one derived from it
     * @param nfc  whether the tokenizer NFC-normalizes, so decoding gives the NFC form back
     */
    RealVocabularyOracleTest(Path file, long seed, boolean nfc) {
        this.file = file;
        this.seed = seed;
        this.nfc = nfc;
    }

    @BeforeAll
    void load() {
        tokenizer = Tokenizer.fromHuggingFace(file);
        oracle = HuggingFaceOracle.load(file);
        addedTokens = IntStream.range(0, tokenizer.vocabularySize())
                .filter(id -> tokenizer.tokenType(id) == TokenType.CONTROL || tokenizer.tokenType(id) == TokenType.USER_DEFINED)
                .mapToObj(tokenizer::tokenText)
                .toList();
    }

    @AfterAll
    void close() {
        oracle.close();
    }

    @Test
    void corpusEncodesLikeHuggingFace() {
        List<String> corpus = TextCorpus.generate(seed, CORPUS_SIZE, addedTokens);
        OracleComparison.assertSameIds(corpus, text -> tokenizer.encode(text, true), oracle::encode);
    }

    @Test
    void heldOutCorpusEncodesLikeHuggingFace() {
        List<String> corpus = TextCorpus.generate(seed ^ 0x5DEECE66DL, HELD_OUT_SIZE, addedTokens);
        OracleComparison.assertSameIds(corpus, text -> tokenizer.encode(text, true), oracle::encode);
    }

    @Test
    void decodingGivesBackTheText() {
        for (String text : TextCorpus.generate(seed + 1, 500, addedTokens)) {
            String expected = nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
            assertThat(tokenizer.decode(tokenizer.encode(text, true)))
                    .as(OracleComparison.escape(text))
                    .isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        }
    }
}
