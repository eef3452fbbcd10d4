package io.glm4j.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.tensor.FileMapping;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufFileTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"F32", "Q8_0", "Q6_K", "Q4_K_M", "Q4_0"})
    void tensorDirectoryMatchesWhatLlamaCppWrote(String type) {
        JsonNode expected = Fixtures.golden(type).json().get("tensors");
        try (GgufFile gguf = GgufFile.open(Fixtures.model(type))) {
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(gguf.tensors()).hasSize(expected.size());
            for (JsonNode t : expected) {
                Tensor tensor = gguf.tensor(t.get("name").asText());
                assertThat(tensor.type().name()).isEqualTo(t.get("type").asText());
                long[] ne = new long[t.get("ne").size()];
                for (int i = 0; i < ne.length; i++) ne[i] = t.get("ne").get(i).asLong();
                assertThat(tensor.ne()).containsExactly(ne);
            }
        }
    }

    @Test
    void readsTheGlm4MoeMetadata() {
        try (GgufFile gguf = GgufFile.open(Fixtures.model("F32"))) {
            Metadata m = gguf.meta();
            assertThat(m.string("general.architecture")).isEqualTo("glm4moe");
            assertThat(m.integer("glm4moe.block_count")).isEqualTo(5);
            assertThat(m.real("glm4moe.rope.freq_base")).isEqualTo(1e6);
            assertThat(m.bool("glm4moe.expert_weights_norm", false)).isTrue();
            assertThat(m.strings("tokenizer.ggml.tokens")).hasSize(640).startsWith("!");
            assertThat(m.ints("tokenizer.ggml.token_type")).hasSize(640);
            assertThat(m.string("tokenizer.chat_template")).startsWith("[gMASK]<sop>");
        }
    }

    @Test
    void tensorViewsReadTheMappedFloats() throws IOException {
        Path file = Fixtures.model("F32");
        try (GgufFile gguf = GgufFile.open(file)) {
            Tensor norm = gguf.tensor("output_norm.weight");
            // Read the same bytes independently of the mapping to check offsets and alignment;
            // the first tensor in the directory starts at the data offset.
            byte[] raw = Files.readAllBytes(file);
            Tensor first = gguf.tensors().values().iterator().next();
            long offset = gguf.dataOffset() + norm.data().address() - first.data().address();
            float[] values = norm.toFloats();
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) assertThat(values[i]).isEqualTo(b.getFloat((int) offset + 4 * i));
            for (float v : values) assertThat(v).isBetween(0.5f, 1.5f); // norm weights are 1 ± 0.1 in the fixture
        }
    }

    @Test
    void preloadReadsTheWholeFileAndReportsProgress() {
        try (GgufFile gguf = GgufFile.open(Fixtures.model("F32"))) {
            List<Long> reported = new ArrayList<>();
            FileMapping.preload(List.of(gguf.mapping()), reported::add);
            assertThat(reported).isSorted().last().isEqualTo(gguf.fileSize());
        }
    }

    @Test
    void writerRoundTripsEveryValueType() {
        Path file = tmp.resolve("all-types.gguf");
        new GgufWriter()
                .put("general.architecture", "test")
                .put("general.alignment", 64)
                .put("u32", 7)
                .put("u64", 1L << 40)
                .put("f32", 0.5f)
                .put("f64", 0.25)
                .put("bool", true)
                .putTyped("i32", -3, "i32")
                .put("ints", new int[] {1, -2, 3})
                .put("floats", new float[] {1.5f, -2})
                .put("strings", List.of("a", "ü", ""))
                .put("nested", List.of(List.of("x", "y"), List.of("z")))
                .tensor("t", new long[] {4, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8})
                .tensor("u", new long[] {3}, new float[] {9, 10, 11})
                .write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            Map<String, Object> m = gguf.metadata();
            assertThat(m.get("u32")).isEqualTo(7L);
            assertThat(m.get("u64")).isEqualTo(1L << 40);
            assertThat(m.get("f32")).isEqualTo(0.5f);
            assertThat(m.get("f64")).isEqualTo(0.25);
            assertThat(m.get("bool")).isEqualTo(true);
            assertThat(m.get("i32")).isEqualTo(-3);
            assertThat((int[]) m.get("ints")).containsExactly(1, -2, 3);
            assertThat((float[]) m.get("floats")).containsExactly(1.5f, -2f);
            assertThat(m.get("strings")).isEqualTo(List.of("a", "ü", ""));
            assertThat(m.get("nested")).isEqualTo(List.of(List.of("x", "y"), List.of("z")));
            assertThat(gguf.dataOffset() % 64).isZero();
            assertThat(gguf.tensor("t").toFloats()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(gguf.tensor("u").toFloats()).containsExactly(9, 10, 11);
            assertThat(gguf.tensor("u").data().address() % 64).isZero();
        }
    }

    @Test
    void opensAHundredGigabyteFileWithoutReadingItsData() throws IOException {
        Path file = tmp.resolve("huge.gguf");
        new GgufWriter().put("general.architecture", "glm4moe").tensor("huge", new long[] {4096, 1}, new float[4096]).write(file);
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "huge".getBytes(StandardCharsets.US_ASCII)) + 4 + 4 + 8; // name, n_dims, ne[0]
        long rows = 6_553_600L; // 4096 × 6,553,600 floats = 107 GB
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, rows);
        Files.write(file, bytes);
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(bytes.length + 4096L * rows * 4); // sparse: nothing is written
        }
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.fileSize()).isGreaterThan(100L << 30);
            assertThat(gguf.tensor("huge").data().byteSize()).isEqualTo(4096L * rows * 4);
        }
    }

    @Test
    void rejectsAFileThatIsNotGguf() throws IOException {
        Path file = Files.writeString(tmp.resolve("model.gguf"), "{\"this\": \"is json\"}");
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(Glm4jException.class).hasMessageContaining("not a GGUF file");
        Path empty = Files.write(tmp.resolve("empty.gguf"), new byte[0]);
        assertThatThrownBy(() -> GgufFile.open(empty)).isInstanceOf(Glm4jException.class).hasMessageContaining("not a GGUF file");
        assertThatThrownBy(() -> GgufFile.open(tmp.resolve("missing.gguf"))).isInstanceOf(Glm4jException.class).hasMessageContaining("not found");
        assertThatThrownBy(() -> GgufFile.open(tmp)).isInstanceOf(Glm4jException.class).hasMessageContaining("directory");
    }

    @Test
    void rejectsAnUnsupportedVersion() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.model("Q4_0"));
        bytes[4] = 1;
        Path file = Files.write(tmp.resolve("v1.gguf"), bytes);
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(Glm4jException.class).hasMessageContaining("version 1");
    }

    @Test
    void aFileTruncatedAnywhereGivesOneClearError() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.model("Q4_0"));
        long dataStart;
        try (GgufFile gguf = GgufFile.open(Fixtures.model("Q4_0"))) {
            dataStart = gguf.dataOffset();
        }
        // Every cut inside the header and directory, and a spread of cuts through the tensor data.
        for (int cut = 0; cut < bytes.length; cut += cut < dataStart ? 7 : 65_537) {
            Path file = Files.write(tmp.resolve("cut.gguf"), Arrays.copyOf(bytes, cut));
            assertThatThrownBy(() -> GgufFile.open(file).close())
                    .as("cut at %d", cut)
                    .isInstanceOf(Glm4jException.class)
                    .hasMessageMatching("(?s).*(truncated|not a GGUF file).*");
        }
    }

    @Test
    void rejectsAnUnknownTensorType() throws IOException {
        Path file = tmp.resolve("unknown-type.gguf");
        new GgufWriter().put("general.architecture", "glm4moe").tensor("weird", new long[] {4}, new float[4]).write(file);
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "weird".getBytes(StandardCharsets.US_ASCII)) + 5 + 4 + 8; // name, n_dims, ne[0]
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 99);
        Files.write(file, bytes);
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(Glm4jException.class)
                .hasMessageContaining("'weird'").hasMessageContaining("unknown type id 99");
    }

    @Test
    void rejectsATensorReachingPastTheEnd() throws IOException {
        Path file = tmp.resolve("short.gguf");
        new GgufWriter().tensor("w", new long[] {8}, new float[8]).write(file);
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "w".getBytes(StandardCharsets.US_ASCII)) + 1 + 4;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, 1L << 20); // claim a million floats
        Files.write(file, bytes);
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(Glm4jException.class)
                .hasMessageContaining("'w' reaches past the end");
    }

    @Test
    void typedAccessNamesMissingAndMistypedKeys() {
        try (GgufFile gguf = GgufFile.open(Fixtures.model("Q4_0"))) {
            assertThatThrownBy(() -> gguf.meta().integer("glm4moe.no_such_key"))
                    .isInstanceOf(Glm4jException.class).hasMessageContaining("lacks the metadata key 'glm4moe.no_such_key'");
            assertThatThrownBy(() -> gguf.meta().integer("general.architecture"))
                    .isInstanceOf(Glm4jException.class).hasMessageContaining("expected an integer");
            assertThatThrownBy(() -> gguf.tensor("blk.99.attn_q.weight"))
                    .isInstanceOf(Glm4jException.class).hasMessageContaining("no tensor 'blk.99.attn_q.weight'");
            assertThat(GgmlType.fromId(gguf.tensor("output.weight").type().id)).isEqualTo(GgmlType.Q6_K);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
