package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InfoCommandTest {
    @Test
    void describesTheQ4KMFixture() {
        CliRunner r = CliRunner.run("info", "-m", "../shared/fixtures/glm45/tiny-glm45air-Q4_K_M.gguf");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // Tensor-type counts as llama-quantize wrote them (the fixture's golden json lists each tensor's type).
        assertThat(r.out())
                .contains("architecture:  glm4moe")
                .contains("tensors:       89")
                .containsPattern("Q4_K\\s+41")
                .containsPattern("Q6_K\\s+3")
                .contains("file size:     4,733,024 bytes")
                .contains("layers                4 (+1 NextN)")
                .contains("experts               16, 4 used, 1 shared, FFN 96");
    }

    @Test
    void aMissingFileIsOneLine() {
        LogitsCommandTest.assertOneLineError(CliRunner.run("info", "-m", "no/such/model.gguf"), "model file not found");
    }
}
