package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesATinyModelThatInfoDescribesAndLogitsRuns() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        CliRunner r = CliRunner.run("synth", "--preset", "tiny", "--type", "Q4_K_M", "-o", file.toString(), "--seed", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + file).contains("89 tensors");
        assertThat(r.err()).isEmpty(); // small files get no progress bar
        assertThat(dir.resolve("tiny.gguf.part")).doesNotExist();

        CliRunner info = CliRunner.run("info", "-m", file.toString());
        assertThat(info.exitCode()).as(info.err()).isZero();
        // Types as llama-quantize mixes Q4_K_M for this shape (the fixture's Q4_K_M file has the same counts).
        assertThat(info.out())
                .contains("architecture:  glm4moe")
                .contains("name:          Synthetic tiny GLM-4.5-Air (random weights)")
                .contains("tensors:       89")
                .containsPattern("Q4_K\\s+41")
                .containsPattern("Q6_K\\s+3")
                .contains("layers                4 (+1 NextN)")
                .contains("experts               16, 4 used, 1 shared, FFN 96");

        CliRunner logits = CliRunner.run("logits", "-m", file.toString(), "--ids", "570,572,12,13");
        assertThat(logits.exitCode()).as(logits.err()).isZero();
    }

    @Test
    void theSameSeedWritesTheSameFile() throws Exception {
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf");
        CliRunner.run("synth", "--preset", "tiny", "--type", "Q8_0", "-o", a.toString());
        CliRunner.run("synth", "--preset", "tiny", "--type", "Q8_0", "-o", b.toString(), "--seed", "1");
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
    }

    @Test
    void badInputIsOneLine() {
        String out = dir.resolve("x.gguf").toString();
        LogitsCommandTest.assertOneLineError(CliRunner.run("synth", "--preset", "big", "--type", "F32", "-o", out), "unknown preset 'big'");
        LogitsCommandTest.assertOneLineError(CliRunner.run("synth", "--preset", "tiny", "--type", "Q4_K_S", "-o", out), "cannot synthesize Q4_K_S");
        LogitsCommandTest.assertOneLineError(CliRunner.run("synth", "--preset", "air", "--moe-layers", "2", "--type", "F32", "-o", out), "--moe-layers");
        LogitsCommandTest.assertOneLineError(
                CliRunner.run("synth", "--preset", "tiny", "--type", "F32", "-o", dir.resolve("no/such/dir/x.gguf").toString()), "cannot write");
    }
}
