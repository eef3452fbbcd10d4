package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiny GLM-4.5-Air tokenizer in Hugging Face form (the same vocabulary as the tiny GGUF):
 * against llama.cpp's goldens, and against Hugging Face tokenizers on a generated corpus, also
 * for edited copies that switch on the tokenizer.json features GLM-4.5's own file does not use.
 */
class TinyGlmTokenizerJsonTest {
    static final Path TOKENIZER_JSON = Path.of("../shared/fixtures/glm45-hf/tiny-glm45air-bf16/tokenizer.json");

    private static Tokenizer tokenizer;
    private static List<String> addedTokens;

    @TempDir
    static Path variants;

    @BeforeAll
    static void load() {
        tokenizer = Tokenizer.fromHuggingFace(TOKENIZER_JSON);
        addedTokens = IntStream.range(568, 604).mapToObj(tokenizer::tokenText).toList();
    }

    static List<LlamaCppGoldens> goldens() throws IOException {
        return LlamaCppGoldens.load();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void encodesLikeLlamaCppWithSpecialParsing(LlamaCppGoldens golden) {
        assertThat(tokenizer.encode(golden.text(), true)).containsExactly(golden.parseSpecial().ids());
        assertThat(tokenizer.decode(golden.parseSpecial().ids())).isEqualTo(golden.parseSpecial().detokenized());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void withoutSpecialParsingMatchesTheRecordedReference(LlamaCppGoldens golden) throws IOException {
        // tokenizer_verification.json records where HF's encode_special_tokens and llama.cpp's
        // parse_special=false part: <|image|>, <|code_prefix|>, ... are special=false in tokenizer.json
        // but CONTROL in the GGUF. There it gives HF's ids.
        JsonNode verdict = verification(golden.text());
        int[] expected = verdict.path("nospecial_vs_llama_no_parse_special_equal").asBoolean()
                ? golden.noParseSpecial().ids()
                : StreamSupport.stream(verdict.path("hf_nospecial_ids").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
        assertThat(tokenizer.encode(golden.text(), false)).containsExactly(expected);
    }

    private static JsonNode verification(String text) throws IOException {
        JsonNode root = new ObjectMapper().readTree(TOKENIZER_JSON.resolveSibling("../tokenizer_verification.json").toFile());
        for (JsonNode c : root.path("fixture_cases")) {
            if (c.path("text").asText().equals(text)) {
                return c;
            }
        }
        throw new IllegalStateException("no verification for " + text);
    }

    @Test
    void rolesComeFromTokenizerConfig() {
        assertThat(tokenizer.specialTokens().eos()).hasValue(568);
        assertThat(tokenizer.specialTokens().pad()).hasValue(568);
        assertThat(tokenizer.tokenType(568)).isEqualTo(TokenType.CONTROL);
        assertThat(tokenizer.tokenType(589)).isEqualTo(TokenType.USER_DEFINED); // <think>
        assertThat(tokenizer.vocabularySize()).isEqualTo(604); // no [PAD] placeholders in tokenizer.json
    }

    @Test
    void corpusEncodesLikeHuggingFace() {
        try (HuggingFaceOracle oracle = HuggingFaceOracle.load(TOKENIZER_JSON)) {
            OracleComparison.assertSameIds(TextCorpus.generate(45, 3000, addedTokens),
                    text -> tokenizer.encode(text, true), oracle::encode);
        }
    }

    @Test
    void withoutSpecialParsingSpecialTokensAreText() {
        Path plain = TokenizerJsonVariants.write(TOKENIZER_JSON, variants, "special-as-text", TokenizerJsonVariants.SPECIAL_AS_TEXT);
        try (HuggingFaceOracle oracle = HuggingFaceOracle.load(plain)) {
            OracleComparison.assertSameIds(TextCorpus.generate(46, 3000, addedTokens),
                    text -> tokenizer.encode(text, false), oracle::encode);
        }
    }

    @Test
    void ggufTokenizerAgreesWithHuggingFaceOnTheSameVocabulary() {
        // llama.cpp's matching rules (longest token first; CONTROL only with special parsing) give
        // HF's results on the same vocabulary once HF is told which tokens are CONTROL
        Tokenizer gguf;
        try (GgufFile file = GgufFile.open(LlamaCppGoldens.FIXTURES.resolve("tiny-glm45air-F32.gguf"))) {
            gguf = Tokenizer.fromGgufMetadata(file.metadata());
        }
        Path plain = TokenizerJsonVariants.write(TOKENIZER_JSON, variants, "control-as-text", TokenizerJsonVariants.CONTROL_AS_TEXT);
        try (HuggingFaceOracle oracle = HuggingFaceOracle.load(TOKENIZER_JSON);
                HuggingFaceOracle plainOracle = HuggingFaceOracle.load(plain)) {
            List<String> corpus = TextCorpus.generate(47, 3000, addedTokens);
            OracleComparison.assertSameIds(corpus, text -> gguf.encode(text, true), oracle::encode);
            OracleComparison.assertSameIds(corpus, text -> gguf.encode(text, false), plainOracle::encode);
        }
    }

    static Stream<Arguments> editedTokenizers() {
        return Stream.of(
                edit("added token flags and a normalized added token under NFKC", root -> {
                    TokenizerJsonVariants.addedToken(root, "<think>").put("lstrip", true);
                    TokenizerJsonVariants.addedToken(root, "</think>").put("rstrip", true);
                    TokenizerJsonVariants.addedToken(root, "/nothink").put("single_word", true);
                    TokenizerJsonVariants.addedToken(root, "<tool_call>").put("normalized", true);
                    TokenizerJsonVariants.addedToken(root, "<|user|>").put("lstrip", true).put("rstrip", true);
                    ((com.fasterxml.jackson.databind.node.ArrayNode) root.path("added_tokens")).add(TokenizerJsonVariants.node(
                            "{\"id\":604,\"content\":\"ﬁx\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
                                    + "\"normalized\":true,\"special\":false}"));
                    root.set("normalizer", TokenizerJsonVariants.node("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"}]}"));
                }),
                edit("ByteLevel with the GPT-2 regex and a prefix space", root -> root.set("pre_tokenizer",
                        TokenizerJsonVariants.node("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}"))),
                edit("Digits then Split MergedWithPrevious", root -> root.set("pre_tokenizer", TokenizerJsonVariants.node(
                        "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":true},"
                                + "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"MergedWithPrevious\",\"invert\":false},"
                                + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}]}"))),
                edit("Digits grouped then Split MergedWithNext", root -> root.set("pre_tokenizer", TokenizerJsonVariants.node(
                        "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":false},"
                                + "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"behavior\":\"MergedWithNext\",\"invert\":false},"
                                + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}]}"))),
                edit("Split Removed and Contiguous, inverted", root -> root.set("pre_tokenizer", TokenizerJsonVariants.node(
                        "{\"type\":\"Sequence\",\"pretokenizers\":["
                                + "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"[,;]\"},\"behavior\":\"Removed\",\"invert\":false},"
                                + "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\p{L}\"},\"behavior\":\"Contiguous\",\"invert\":true},"
                                + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}]}"))),
                edit("ignore_merges off", root -> ((ObjectNode) root.path("model")).put("ignore_merges", false)));
    }

    private static Arguments edit(String name, Consumer<ObjectNode> change) {
        return Arguments.of(name, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("editedTokenizers")
    void editedTokenizerEncodesLikeHuggingFace(String name, Consumer<ObjectNode> change) {
        Path file = TokenizerJsonVariants.write(TOKENIZER_JSON, variants, name.replaceAll("\\W+", "-"), change);
        Tokenizer edited = Tokenizer.fromHuggingFace(file);
        List<String> tokens = new ArrayList<>(addedTokens);
        tokens.add("ﬁx");
        tokens.add("fix");
        try (HuggingFaceOracle oracle = HuggingFaceOracle.load(file)) {
            OracleComparison.assertSameIds(TextCorpus.generate(name.hashCode(), 2000, tokens),
                    text -> edited.encode(text, true), oracle::encode);
        }
    }
}
