package io.glm4j.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.FileType;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Quantizing a GGUF gives the file llama-quantize wrote for the same input and type, byte for byte. */
class GgufRequantizerTest {
    static final Path HELD_OUT = Path.of("glm4j-core/src/test/resources/io/glm4j/model/reference");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({
        "Q8_0, ../shared/fixtures/glm45/tiny-glm45air-F32.gguf, ../shared/fixtures/glm45/tiny-glm45air-Q8_0.gguf",
        "Q4_0, ../shared/fixtures/glm45/tiny-glm45air-F32.gguf, ../shared/fixtures/glm45/tiny-glm45air-Q4_0.gguf",
        "Q6_K, ../shared/fixtures/glm45/tiny-glm45air-F32.gguf, ../shared/fixtures/glm45/tiny-glm45air-Q6_K.gguf",
        "Q4_K_M, ../shared/fixtures/glm45/tiny-glm45air-F32.gguf, ../shared/fixtures/glm45/tiny-glm45air-Q4_K_M.gguf",
        "F16, glm4j-core/src/test/resources/io/glm4j/model/reference/tiny-glm45group-F32.gguf, glm4j-core/src/test/resources/io/glm4j/model/reference/tiny-glm45group-F16.gguf",
        "BF16, glm4j-core/src/test/resources/io/glm4j/model/reference/tiny-glm45group-F32.gguf, glm4j-core/src/test/resources/io/glm4j/model/reference/tiny-glm45group-BF16.gguf",
    })
    void writesTheSameBytesAsLlamaQuantize(String type, Path input, Path llamaQuantized) throws IOException {
        Path out = tmp.resolve("out.gguf");
        try (GgufFile in = GgufFile.open(input)) {
            GgufRequantizer.plan(in, FileType.parse(type)).write(out, WorkerPool.shared(), done -> {});
        }
        assertThat(Files.mismatch(out, llamaQuantized)).as("first differing byte").isEqualTo(-1L);
    }

    @Test
    void aTypeWithoutAQuantizerIsRefusedWithTheTypesGlm4jWrites() {
        try (GgufFile in = GgufFile.open(Fixtures.model("F32"))) {
            assertThatThrownBy(() -> GgufRequantizer.plan(in, FileType.Q5_K_M))
                    .isInstanceOf(Glm4jException.class)
                    .hasMessage("quantizing to Q5_K_M needs Q5_K for token_embd.weight, which glm4j cannot write; it writes F32, F16, Q4_0, Q8_0, Q5_0, Q4_K_M, Q6_K, BF16");
        }
    }
}
