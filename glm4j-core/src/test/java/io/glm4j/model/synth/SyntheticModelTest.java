package io.glm4j.model.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.Batch;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.TensorSpec;
import io.glm4j.tensor.Tensor;
import io.glm4j.tokenizer.Tokenizer;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Synthetic models against the shared fixture's layout and against what llama.cpp makes of them
 * (the resources beside this test, see their README).
 */
class SyntheticModelTest {
    /** The prompt of {@code tiny-F32-seed1.llama-logits.f32}. */
    private static final int[] PROMPT = {570, 572, 574, 10, 300, 400, 500, 600, 575, 12, 33, 44, 55, 66, 77, 88, 576, 589, 13, 590, 601, 0, 255, 567};

    @TempDir
    Path dir;

    private Path synth(String type, long seed) {
        Path file = dir.resolve("tiny-" + type + "-" + seed + ".gguf");
        SyntheticModel.of(SynthPreset.tiny(), FileType.parse(type), seed).write(file, WorkerPool.shared(), done -> {});
        return file;
    }

    @Test
    void tinyHasTheFixturesTensorDirectory() {
        try (GgufFile fixture = GgufFile.open(Fixtures.model("F32")); GgufFile synth = GgufFile.open(synth("F32", 1))) {
            assertThat(synth.tensors().values()).extracting(Tensor::toString)
                    .containsExactlyElementsOf(fixture.tensors().values().stream().map(Tensor::toString).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_K_M"})
    void quantizedTinyHasTheTypesLlamaQuantizeGaveTheFixture(String type) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (JsonNode t : Fixtures.golden(type).json().get("tensors")) expected.put(t.get("name").asText(), t.get("type").asText());

        Map<String, String> actual = SyntheticModel.of(SynthPreset.tiny(), FileType.parse(type), 1).tensors().stream()
                .collect(Collectors.toMap(TensorSpec::name, t -> t.type().name()));

        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void tinyHasTheFixturesMetadataKeysTypesAndTokenizerLayout() throws IOException {
        try (GgufFile fixture = GgufFile.open(Fixtures.model("F32")); GgufFile synth = GgufFile.open(synth("F32", 1))) {
            Map<String, Object> f = fixture.metadata(), s = synth.metadata();
            assertThat(s.keySet()).containsExactlyElementsOf(f.keySet());
            for (String key : f.keySet()) {
                assertThat(s.get(key).getClass()).as(key).isEqualTo(f.get(key).getClass());
                if (key.startsWith("glm4moe.") || key.matches("tokenizer\\.ggml\\.(model|pre|.*_id)|general\\.(architecture|type|file_type|license|quantization_version)")) {
                    assertThat(s.get(key)).as(key).isEqualTo(f.get(key));
                }
            }
            // Same ids for the 36 added tokens and [PAD] as the fixture (and types), and 312 merges.
            List<String> fTokens = fixture.meta().strings("tokenizer.ggml.tokens"), sTokens = synth.meta().strings("tokenizer.ggml.tokens");
            assertThat(sTokens.subList(568, 640)).isEqualTo(fTokens.subList(568, 640));
            assertThat(sTokens.subList(0, 256)).isEqualTo(fTokens.subList(0, 256));
            int[] fTypes = fixture.meta().ints("tokenizer.ggml.token_type"), sTypes = synth.meta().ints("tokenizer.ggml.token_type");
            assertThat(sTypes).isEqualTo(fTypes);
            assertThat(synth.meta().strings("tokenizer.ggml.merges")).hasSize(312);
            String template = Files.readString(Fixtures.SHARED.resolve("reference/glm45/chat_template.jinja"));
            assertThat(synth.meta().string("tokenizer.chat_template")).isEqualTo(template);
        }
    }

    /** {@code llama-quantize-sha256.tsv}: llama-quantize run on the synthetic F32 file of seed 1. */
    @ParameterizedTest
    @ValueSource(strings = {"F16", "Q8_0", "Q4_0", "Q4_K_M", "Q6_K", "Q5_0"})
    void quantizedTinyHoldsExactlyTheBytesLlamaQuantizeMakesOfTheF32File(String type) throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String row : resourceLines("llama-quantize-sha256.tsv")) {
            String[] f = row.split("\t");
            if (f[0].equals(type)) expected.put(f[1], f[2] + " " + f[3]);
        }
        assertThat(expected).hasSize(89);

        Map<String, String> actual = new LinkedHashMap<>();
        try (GgufFile synth = GgufFile.open(synth(type, 1))) {
            for (Tensor t : synth.tensors().values()) actual.put(t.name(), t.type() + " " + sha256(t));
        }

        assertThat(actual).isEqualTo(expected);
    }

    /** {@code tiny-F32-seed1.llama-logits.f32}: llama.cpp's logits for {@link #PROMPT} on the synthetic F32 file of seed 1. */
    @Test
    void f32TinyGivesLlamaCppsLogits() throws IOException {
        float[] expected;
        try (InputStream in = SyntheticModelTest.class.getResourceAsStream("tiny-F32-seed1.llama-logits.f32")) {
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            expected = new float[b.remaining() / 4];
            b.asFloatBuffer().get(expected);
        }
        assertThat(expected).hasSize(PROMPT.length * 640);

        try (GgufFile file = GgufFile.open(synth("F32", 1))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, PROMPT, true), model.newCache(64, 1));
            assertThat(out.logits()).containsExactly(expected, within(1e-4f));
        }
    }

    /** {@code tiny-llama-tokens.json}: llama.cpp's tokenization with the synthetic vocabulary. */
    @Test
    void glm4jsTokenizerSplitsTextWithTheSyntheticVocabularyAsLlamaCppDoes() throws IOException {
        JsonNode cases;
        try (InputStream in = SyntheticModelTest.class.getResourceAsStream("tiny-llama-tokens.json")) {
            cases = new ObjectMapper().readTree(in);
        }
        assertThat(cases).hasSize(4);
        try (GgufFile file = GgufFile.open(synth("Q8_0", 1))) {
            Tokenizer tokenizer = Tokenizer.fromGgufMetadata(file.metadata());
            for (JsonNode c : cases) {
                int[] expected = new int[c.get("ids").size()];
                for (int i = 0; i < expected.length; i++) expected[i] = c.get("ids").get(i).asInt();
                assertThat(tokenizer.encode(c.get("text").asText(), true)).as(c.get("text").asText()).containsExactly(expected);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K_M"})
    void everyTypeLoadsAndGivesFiniteLogitsThatPickDifferentTokens(String type) {
        try (GgufFile file = GgufFile.open(synth(type, 7))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, PROMPT, true), model.newCache(64, 1));
            List<Integer> argmax = new ArrayList<>();
            for (int t = 0; t < PROMPT.length; t++) {
                float[] row = out.logitsRow(t);
                double mean = 0, sq = 0;
                int best = 0;
                for (int i = 0; i < row.length; i++) {
                    assertThat(Float.isFinite(row[i])).isTrue();
                    mean += row[i] / row.length;
                    sq += (double) row[i] * row[i] / row.length;
                    if (row[i] > row[best]) best = i;
                }
                assertThat(Math.sqrt(sq - mean * mean)).as("spread of logits at %d", t).isBetween(0.5, 10.0);
                argmax.add(best);
            }
            assertThat(argmax.stream().distinct().count()).isGreaterThan(PROMPT.length / 3);
        }
    }

    @Test
    void theSeedDecidesTheWeights() throws IOException {
        byte[] a = Files.readAllBytes(synth("Q8_0", 5));
        byte[] again = Files.readAllBytes(synth("Q8_0", 5));
        byte[] other = Files.readAllBytes(synth("Q8_0", 6));
        assertThat(again).isEqualTo(a);
        assertThat(other).hasSameSizeAs(a).isNotEqualTo(a);
    }

    @Test
    void airHasGlm45AirsTensorsAndSize() throws IOException {
        List<String> rows = resourceLines("/io/glm4j/model/quantmix/air-types.tsv");
        int q4km = List.of(rows.getFirst().split("\t")).indexOf("Q4_K_M");

        SyntheticModel air = SyntheticModel.of(SynthPreset.air(), FileType.Q4_K_M, 1);

        List<String> expected = rows.stream().skip(1).map(r -> r.split("\t")[0] + " " + r.split("\t")[q4km]).toList();
        assertThat(air.tensors()).extracting(t -> t.name() + " " + t.type()).containsExactlyElementsOf(expected);
        assertThat(air.dataBytes()).isEqualTo(72_848_161_792L); // llama-quantize --dry-run, quantmix/quant-sizes.tsv
    }

    @Test
    void airSliceHasOneDenseLayerNMoeLayersAndTheNextNBlock() {
        SynthPreset slice = SynthPreset.parse("air-slice", 2);
        assertThat(slice.config().blockCount()).isEqualTo(3);
        assertThat(slice.config().leadingDenseBlocks()).isEqualTo(1);
        assertThat(slice.config().hiddenSize()).isEqualTo(4096);
        List<String> names = SyntheticModel.of(slice, FileType.Q4_K_M, 1).tensors().stream().map(TensorSpec::name).toList();
        assertThat(names).hasSize(3 + 12 + 2 * 17 + 23).contains("blk.3.nextn.eh_proj.weight", "blk.2.ffn_down_exps.weight");
        assertThat(SynthPreset.parse("air-slice", null).config().blockCount()).isEqualTo(4);
    }

    @Test
    void typesWhoseMixGlm4jCannotWriteAreRefusedByName() {
        assertThatThrownBy(() -> SyntheticModel.of(SynthPreset.tiny(), FileType.Q4_K_S, 1))
                .isInstanceOf(Glm4jException.class).hasMessageContaining("Q4_K_S").hasMessageContaining("Q5_K");
        assertThatThrownBy(() -> SynthPreset.parse("tiny", 2)).isInstanceOf(Glm4jException.class).hasMessageContaining("--moe-layers");
        assertThatThrownBy(() -> SynthPreset.parse("huge", null)).isInstanceOf(Glm4jException.class).hasMessageContaining("unknown preset 'huge'");
    }

    private static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = SyntheticModelTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static String sha256(Tensor t) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(t.data().toArray(ValueLayout.JAVA_BYTE)));
    }
}
