package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerateCommandTest {
    static final String F32 = "../shared/fixtures/glm45/tiny-glm45air-F32.gguf";

    /**
     * The goldens were made with an F32 KV cache, so this asks for one. With the default F16 cache
     * one of the 96 tokens differs (random_40 step 23, where the top-2 margin is 0.0024), as the
     * fixture README reports for llama.cpp's own F16 default.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "mtp", "auto"})
    void greedyIdsReproduceLlamaCppsContinuationForEveryPrompt(String speculative) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(Path.of("../shared/fixtures/glm45/tiny-glm45air-F32.golden.json").toFile());
        for (JsonNode p : golden.get("prompts")) {
            CliRunner r = CliRunner.run("generate", "-m", F32, "--ids", join(p.get("tokens")), "-n", "24",
                    "--temperature", "0", "--ignore-eos", "--print-ids", "--kv", "f32", "--speculative", speculative, "--verbose");
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(new ObjectMapper().readTree(lines.getLast())).as(p.get("name").asText()).isEqualTo(p.get("greedy"));
            assertThat(r.err()).contains("generated: 24 tokens");
        }
    }

    @Test
    void aTextPromptAndSeededSamplingAreReproducible() {
        String[] args = {"generate", "-m", F32, "-p", "[gMASK]<sop>Hello", "-n", "12", "--seed", "3", "--temperature", "1", "--ignore-eos", "--print-ids"};
        CliRunner a = CliRunner.run(args);
        CliRunner b = CliRunner.run(args);
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
    }

    @Test
    void badOptionsAreOneLine() {
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1,2,3", "--ctx", "2"), "more than the context of 2");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--kv", "q4"), "unknown KV cache type 'q4'");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--top-p", "0"), "top_p");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--ctx", "100000"), "larger than the model's context of 4096");
    }

    static String join(JsonNode array) {
        return String.join(",", StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList());
    }
}
