package io.glm4j.tokenizer;

import io.glm4j.gguf.GgufFile;

/** The tokenizer of the tiny GLM-4.5-Air GGUF fixture, loaded once for the tests that need a small real vocabulary. */
final class TinyGlm {
    static final Tokenizer TOKENIZER;

    static {
        try (GgufFile gguf = GgufFile.open(LlamaCppGoldens.FIXTURES.resolve("tiny-glm45air-F32.gguf"))) {
            TOKENIZER = Tokenizer.fromGgufMetadata(gguf.metadata());
        }
    }

    private TinyGlm() {}
}
