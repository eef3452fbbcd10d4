package io.glm4j.cli;

import static io.glm4j.cli.LogitsCommandTest.assertOneLineError;
import static io.glm4j.cli.LogitsCommandTest.join;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertAndQuantizeCommandTest {
    static final Path HF = Path.of("../shared/fixtures/glm45-hf");
    static final Path GLM45 = Path.of("../shared/fixtures/glm45");

    @TempDir
    Path tmp;

    @Test
    void aConvertedCheckpointGivesItsGoldenArgmax() throws IOException {
        Path out = tmp.resolve("fp8.gguf");
        CliRunner convert = CliRunner.run("convert", HF.resolve("tiny-glm45air-fp8").toString(), "-o", out.toString(), "--type", "f32");
        assertThat(convert.exitCode()).as(convert.err()).isZero();
        assertThat(convert.out()).contains("wrote " + out + ": F32, 89 tensors");
        JsonNode prompt = new ObjectMapper().readTree(HF.resolve("tiny-glm45air-fp8.golden.json").toFile()).get("prompts").get(0);
        CliRunner logits = CliRunner.run("logits", "-m", out.toString(), "--ids", join(prompt.get("tokens")));
        assertThat(logits.exitCode()).as(logits.err()).isZero();
        assertThat(logits.out()).contains("argmax: " + join(prompt.get("argmax")));
    }

    @Test
    void quantizeWritesLlamaQuantizesFile() throws IOException {
        Path out = tmp.resolve("q8.gguf");
        CliRunner r = CliRunner.run("quantize", GLM45.resolve("tiny-glm45air-F32.gguf").toString(), out.toString(), "q8_0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out + ": Q8_0, 89 tensors");
        assertThat(Files.mismatch(out, GLM45.resolve("tiny-glm45air-Q8_0.gguf"))).isEqualTo(-1L);
    }

    @Test
    void badInputIsOneLineANonZeroExitAndNoOutputFile() throws IOException {
        Path out = tmp.resolve("out.gguf");
        String f32 = GLM45.resolve("tiny-glm45air-F32.gguf").toString();
        assertOneLineError(CliRunner.run("quantize", f32, out.toString(), "Q5_K_M"),
                "quantizing to Q5_K_M needs Q5_K for token_embd.weight, which glm4j cannot write; it writes F32, F16, Q4_0, Q8_0, Q5_0, Q4_K_M, Q6_K, BF16");
        assertOneLineError(CliRunner.run("quantize", f32, out.toString(), "Q9"), "unknown quantization type 'Q9'");
        assertOneLineError(CliRunner.run("quantize", tmp.resolve("none.gguf").toString(), out.toString(), "Q8_0"), "model file not found");
        assertOneLineError(CliRunner.run("convert", tmp.toString(), "-o", out.toString()), "has no config.json");
        assertOneLineError(CliRunner.run("convert", HF.resolve("tiny-glm45air-bf16").toString(), "-o", out.toString(), "--type", "q3_k_m"),
                "converting to Q3_K_M needs Q3_K");
        assertThat(Files.exists(out)).isFalse();
        Path copy = Files.copy(GLM45.resolve("tiny-glm45air-Q4_0.gguf"), tmp.resolve("same.gguf"));
        assertOneLineError(CliRunner.run("quantize", copy.toString(), copy.toString(), "Q8_0"), "is the input file");
    }
}
