package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogitsCommandTest {
    static final Path FIXTURES = Path.of("../shared/fixtures/glm45");
    static final String F32 = FIXTURES.resolve("tiny-glm45air-F32.gguf").toString();

    @TempDir
    Path tmp;

    @Test
    void writesLlamaCppsLogitsAndPrintsTheArgmax() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(FIXTURES.resolve("tiny-glm45air-F32.golden.json").toFile());
        JsonNode prompt = golden.get("prompts").get(2); // ids_8
        String ids = join(prompt.get("tokens"));
        Path out = tmp.resolve("logits.f32");

        CliRunner r = CliRunner.run("logits", "-m", F32, "--ids", ids, "-o", out.toString(), "-t", "2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("argmax: " + join(prompt.get("argmax")));
        ByteBuffer actual = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(FIXTURES.resolve("tiny-glm45air-F32.golden.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        int offset = prompt.get("logits").get("offset").asInt();
        assertThat(actual.capacity()).isEqualTo(8 * 640 * 4);
        for (int i = 0; i < 8 * 640; i++) {
            assertThat(actual.getFloat(4 * i)).isCloseTo(expected.getFloat(offset + 4 * i), org.assertj.core.data.Offset.offset(1e-3f));
        }
    }

    @Test
    void mtpWritesTheNextNHeadsLogits() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(FIXTURES.resolve("tiny-glm45air-F32.golden.json").toFile());
        JsonNode mtp = golden.get("prompts").get(2).get("mtp");
        JsonNode sequence = mtp.get("sequence");
        Path out = tmp.resolve("mtp.f32");
        CliRunner r = CliRunner.run("logits", "--mtp", "-m", F32, "--ids", join(sequence), "-o", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        int rows = sequence.size() - 1; // the last position has no known next token in the ids
        ByteBuffer actual = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(FIXTURES.resolve("tiny-glm45air-F32.golden.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        int offset = mtp.get("logits").get("offset").asInt();
        assertThat(actual.capacity()).isEqualTo(rows * 640 * 4);
        for (int i = 0; i < rows * 640; i++) {
            assertThat(actual.getFloat(4 * i)).isCloseTo(expected.getFloat(offset + 4 * i), org.assertj.core.data.Offset.offset(1e-3f));
        }
    }

    @Test
    void badInputIsOneLineAndANonZeroExit() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.gguf"), "hello");
        assertOneLineError(CliRunner.run("logits", "-m", text.toString(), "--ids", "1"), "not a GGUF file");
        assertOneLineError(CliRunner.run("logits", "-m", F32, "--ids", "1,640"), "token id 640 is outside the vocabulary");
        assertOneLineError(CliRunner.run("logits", "-m", F32, "--ids", "1,x"), "'x' is not a token id");
        assertOneLineError(CliRunner.run("logits", "-m", F32, "--ids", "1,2,3", "--ctx", "2"), "more than the context of 2");
        assertOneLineError(CliRunner.run("logits", "-m", tmp.resolve("none.gguf").toString(), "--ids", "1"), "model file not found");
    }

    static void assertOneLineError(CliRunner r, String message) {
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).startsWith("error: ").contains(message);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).doesNotContain("\tat ");
    }

    static String join(JsonNode array) {
        return String.join(",", StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList());
    }
}
