package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MemCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonForGlm45AirAtQ8_0WithAQ8KvCache() throws Exception {
        CliRunner r = CliRunner.run("mem", "--model", "glm-4.5-air", "--quant", "Q8_0", "--ctx", "65536", "--kv", "q8_0", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip().lines()).hasSize(1);

        JsonNode m = JSON.readTree(r.out());
        // SPEC §9.3: 100,096 bytes per token at Q8_0, 6,256 MiB at 64K; llama-quantize's Q8_0 size (109.38 GiB).
        assertThat(m.get("kv_bytes_per_token").asLong()).isEqualTo(100_096);
        assertThat(m.get("kv_bytes").asLong()).isEqualTo(6_256L << 20);
        assertThat(m.get("weights_bytes").asLong()).isEqualTo(117_447_146_496L);
        assertThat(m.get("total_bytes").asLong())
                .isEqualTo(m.get("weights_bytes").asLong() + m.get("kv_bytes").asLong() + m.get("compute_bytes").asLong());
        assertThat(m.get("compute_bytes").asLong()).isPositive();
    }

    @Test
    void withoutContextATableFrom1KTo128K() {
        CliRunner r = CliRunner.run("mem", "--model", "glm-4.5-air", "--quant", "q4_k_m");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // 188,416 bytes per token in F16: 184 MiB at 1K, 23 GiB at 128K (SPEC §9.3).
        assertThat(r.out())
                .contains("weights:   67.85 GiB")
                .contains("188,416 bytes per token")
                .containsPattern("\\n\\s+1K\\s+184.00 MiB")
                .containsPattern("\\n\\s+128K\\s+23.00 GiB");
        assertThat(r.out().lines().filter(l -> l.matches("\\s+\\d+K\\s.*"))).hasSize(8);
    }

    @Test
    void aFileIsMeasuredByItsTensors() throws Exception {
        CliRunner r = CliRunner.run("mem", "-m", "../shared/fixtures/glm45/tiny-glm45air-Q4_K_M.gguf", "--ctx", "4096", "--parallel", "2", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode m = JSON.readTree(r.out());
        // The fixture: 4 main layers × K,V × 2 KV heads × 64 dims in F16 = 2,048 bytes per token.
        assertThat(m.get("kv_bytes_per_token").asLong()).isEqualTo(2_048);
        assertThat(m.get("kv_bytes").asLong()).isEqualTo(2_048L * 4096 * 2);
        assertThat(m.get("weights_bytes").asLong()).isBetween(4_600_000L, 4_733_024L); // tensor data of the 4,733,024-byte file
    }

    @Test
    void requantizingAFileUsesTheMixForThatType() throws Exception {
        JsonNode asStored = JSON.readTree(CliRunner.run("mem", "-m", "../shared/fixtures/glm45/tiny-glm45air-F32.gguf", "--ctx", "1", "--json").out());
        JsonNode q8 = JSON.readTree(CliRunner.run("mem", "-m", "../shared/fixtures/glm45/tiny-glm45air-F32.gguf", "--quant", "Q8_0", "--ctx", "1", "--json").out());
        JsonNode q8File = JSON.readTree(CliRunner.run("mem", "-m", "../shared/fixtures/glm45/tiny-glm45air-Q8_0.gguf", "--ctx", "1", "--json").out());
        assertThat(q8.get("weights_bytes").asLong()).isEqualTo(q8File.get("weights_bytes").asLong()).isLessThan(asStored.get("weights_bytes").asLong() / 3);
    }

    @Test
    void badInputIsOneLine() {
        LogitsCommandTest.assertOneLineError(CliRunner.run("mem", "--model", "glm-5"), "unknown model 'glm-5'");
        LogitsCommandTest.assertOneLineError(CliRunner.run("mem", "--model", "glm-4.5", "--quant", "Q9"), "unknown quantization type 'Q9'");
        LogitsCommandTest.assertOneLineError(CliRunner.run("mem", "--model", "glm-4.5", "--kv", "q4"), "unknown KV cache type 'q4'");
        LogitsCommandTest.assertOneLineError(CliRunner.run("mem", "--model", "glm-4.5", "--ctx", "0"), "at least 1");
    }
}
