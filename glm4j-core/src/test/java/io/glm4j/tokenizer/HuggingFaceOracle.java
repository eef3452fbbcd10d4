package io.glm4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The reference implementation: Hugging Face's {@code tokenizers} (Rust) through DJL's JNI binding,
 * whose jar carries the native library (extracted under {@code target/}, nothing is downloaded).
 */
final class HuggingFaceOracle implements AutoCloseable {
    static {
        System.setProperty("DJL_CACHE_DIR", Path.of("glm4j-core/target/djl-cache").toAbsolutePath().toString());
        System.setProperty("ai.djl.offline", "true");
    }

    private final HuggingFaceTokenizer tokenizer;

    private HuggingFaceOracle(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    static HuggingFaceOracle load(Path tokenizerJson) {
        try {
            return new HuggingFaceOracle(HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int[] encode(String text) {
        return Arrays.stream(tokenizer.encode(text, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
