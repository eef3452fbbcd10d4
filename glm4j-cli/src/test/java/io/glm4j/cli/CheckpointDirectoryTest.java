package io.glm4j.cli;

import static io.glm4j.cli.LogitsCommandTest.assertOneLineError;
import static io.glm4j.cli.LogitsCommandTest.join;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Commands take a Hugging Face checkpoint directory wherever they take a model ({@code -m DIR}). */
class CheckpointDirectoryTest {
    static final Path HF = Path.of("../shared/fixtures/glm45-hf");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"bf16", "fp8"})
    void logitsOfACheckpointMatchItsGoldens(String variant) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(HF.resolve("tiny-glm45air-" + variant + ".golden.json").toFile());
        JsonNode prompt = golden.get("prompts").get(1); // chat_35
        Path out = tmp.resolve("logits.f32");
        CliRunner r = CliRunner.run("logits", "-m", HF.resolve("tiny-glm45air-" + variant).toString(),
                "--ids", join(prompt.get("tokens")), "-o", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("argmax: " + join(prompt.get("argmax")));
        ByteBuffer actual = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(HF.resolve("tiny-glm45air-" + variant + ".golden.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        int offset = prompt.get("logits").get("offset").asInt();
        int n = prompt.get("tokens").size() * 640;
        assertThat(actual.capacity()).isEqualTo(4 * n);
        for (int i = 0; i < n; i++) assertThat(actual.getFloat(4 * i)).isCloseTo(expected.getFloat(offset + 4 * i), Offset.offset(1e-3f));
    }

    @Test
    void repackSaysItDoesNotApplyToACheckpoint() {
        CliRunner r = CliRunner.run("logits", "-m", HF.resolve("tiny-glm45air-bf16").toString(), "--ids", "570,572",
                "--repack-dir", tmp.resolve("cache").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("repacking applies to GGUF files");
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void infoDescribesACheckpoint() {
        CliRunner r = CliRunner.run("info", "-m", HF.resolve("tiny-glm45air-fp8").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("(2 safetensors files)").contains("tensors:       497")
                .containsPattern("F8_E4M3\\s+228").containsPattern("F32\\s+232")
                .contains("layers                4 (+1 NextN)").contains("experts               16, 4 used, 1 shared, FFN 96");
    }

    @Test
    void tokenizeAndRenderUseTheCheckpointsTokenizerAndTemplate() throws IOException {
        String dir = HF.resolve("tiny-glm45air-bf16").toString();
        String text = "[gMASK]<sop><|user|>\nWhat is free software?<think>";
        CliRunner ids = CliRunner.run("tokenize", "-m", dir, text);
        assertThat(ids.exitCode()).as(ids.err()).isZero();
        assertThat(ids.out()).startsWith("[570,572,575,").isEqualTo(CliRunner.run("tokenize", "-m", LogitsCommandTest.F32, text).out());
        Path request = Files.writeString(tmp.resolve("req.json"), "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        CliRunner render = CliRunner.run("render", "-m", dir, "--request", request.toString());
        assertThat(render.exitCode()).as(render.err()).isZero();
        assertThat(render.out()).startsWith("[gMASK]<sop><|user|>\nhi<|assistant|>");
    }

    /** As stored, the weights are the shards' tensor bytes; converted, the same as the converted GGUF's. */
    @Test
    void memSizesACheckpointAsStoredAndConverted() throws IOException {
        String dir = HF.resolve("tiny-glm45air-bf16").toString();
        CliRunner stored = CliRunner.run("mem", "-m", dir, "--ctx", "1024");
        assertThat(stored.exitCode()).as(stored.err()).isZero();
        long total = new ObjectMapper().readTree(HF.resolve("tiny-glm45air-bf16/model.safetensors.index.json").toFile())
                .get("metadata").get("total_size").asLong();
        assertThat(stored.out()).contains("weights as stored").contains(String.format("(%,d bytes)", total));
        CliRunner q4 = CliRunner.run("mem", "-m", dir, "--quant", "Q4_K_M", "--ctx", "1024");
        CliRunner fixture = CliRunner.run("mem", "-m", "../shared/fixtures/glm45/tiny-glm45air-Q4_K_M.gguf", "--ctx", "1024");
        assertThat(q4.exitCode()).as(q4.err()).isZero();
        assertThat(weightsLine(q4.out())).isEqualTo(weightsLine(fixture.out()));
    }

    private static String weightsLine(String out) {
        return out.lines().filter(l -> l.startsWith("weights:")).findFirst().orElseThrow();
    }

    @Test
    void badDirectoriesAreOneLineAndANonZeroExit() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertOneLineError(CliRunner.run("logits", "-m", empty.toString(), "--ids", "1"), "has no config.json");
        Path noWeights = Files.createDirectory(tmp.resolve("no-weights"));
        Files.copy(HF.resolve("tiny-glm45air-bf16/config.json"), noWeights.resolve("config.json"));
        assertOneLineError(CliRunner.run("logits", "-m", noWeights.toString(), "--ids", "1"), "has no weights");
        assertOneLineError(CliRunner.run("info", "-m", noWeights.toString()), "has no weights");
        Path llama = Files.createDirectory(tmp.resolve("llama"));
        Files.writeString(llama.resolve("config.json"), "{\"model_type\": \"llama\"}");
        assertOneLineError(CliRunner.run("generate", "-m", llama.toString(), "-p", "hi"), "model_type 'llama' is not glm4_moe");
    }
}
