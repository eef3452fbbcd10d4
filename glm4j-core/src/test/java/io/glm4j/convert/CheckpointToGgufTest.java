package io.glm4j.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.gguf.GgufFile;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.model.Batch;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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

/**
 * Converting the fixture checkpoints gives the GGUF llama.cpp's converter writes: the metadata, tokenizer,
 * template and tensor directory of {@code tiny-glm45air-F32.gguf} (the same model, written with gguf-py
 * the converter's way), the checkpoint's values, and the checkpoint's golden logits.
 */
class CheckpointToGgufTest {
    static final Path HF = Fixtures.SHARED.resolve("fixtures/glm45-hf");

    @TempDir
    Path tmp;

    /**
     * Every key in the fixture's order with the same type and value, but for the name and licence (from a
     * model card, which these checkpoints lack) and the template: the converter takes the checkpoint's
     * {@code chat_template.jinja}, a revision 11 bytes apart from the one the fixture embeds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bf16", "fp8"})
    void f32ConversionHasTheFixturesMetadataAndTensorDirectory(String variant) throws IOException {
        Path out = convert(variant, FileType.F32);
        try (GgufFile converted = GgufFile.open(out); GgufFile fixture = GgufFile.open(Fixtures.model("F32"))) {
            List<String> keys = new ArrayList<>(fixture.encodedMetadata().keySet());
            keys.remove("general.license");
            assertThat(converted.encodedMetadata().keySet()).containsExactlyElementsOf(keys);
            for (String key : keys) {
                if (key.equals("general.name") || key.equals("tokenizer.chat_template")) continue;
                assertThat(Arrays.equals(converted.encodedMetadata().get(key).toArray(ValueLayout.JAVA_BYTE),
                        fixture.encodedMetadata().get(key).toArray(ValueLayout.JAVA_BYTE))).as(key).isTrue();
            }
            assertThat(converted.meta().string("general.name")).isEqualTo("tiny-glm45air-" + variant);
            assertThat(converted.meta().string("tokenizer.chat_template"))
                    .isEqualTo(Files.readString(HF.resolve("tiny-glm45air-" + variant + "/chat_template.jinja")));
            assertThat(converted.tensors().values()).extracting(Tensor::toString)
                    .containsExactlyElementsOf(fixture.tensors().values().stream().map(Tensor::toString).toList());
        }
    }

    /** BF16 widens exactly; FP8 is fp8 · scale in float32 (what the converter's torch code computes). */
    @ParameterizedTest
    @ValueSource(strings = {"bf16", "fp8"})
    void f32ConversionHoldsTheCheckpointsValues(String variant) {
        Path out = convert(variant, FileType.F32);
        try (GgufFile converted = GgufFile.open(out); HfCheckpoint checkpoint = HfCheckpoint.open(HF.resolve("tiny-glm45air-" + variant))) {
            for (String name : List.of("token_embd.weight", "blk.0.attn_q.weight", "blk.2.ffn_down_exps.weight", "blk.1.exp_probs_b.bias",
                    "blk.4.nextn.shared_head_head.weight", "blk.4.nextn.eh_proj.weight", "output.weight")) {
                float[] written = converted.tensor(name).toFloats();
                List<Tensor> parts = name.contains("_exps") ? checkpoint.weights().findExperts(name) : List.of(checkpoint.weights().find(name));
                int at = 0;
                for (Tensor part : parts) {
                    float[] stored = exactValues(checkpoint, part, name, parts.indexOf(part));
                    for (float v : stored) assertThat(written[at++]).as("%s value %d", name, at - 1).isEqualTo(v);
                }
                assertThat(at).isEqualTo(written.length);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bf16", "fp8"})
    void f32ConversionGivesTheCheckpointsGoldenLogits(String variant) {
        Path out = convert(variant, FileType.F32);
        Golden golden = Golden.load(HF.resolve("tiny-glm45air-" + variant + ".golden.json"));
        try (GgufFile file = GgufFile.open(out)) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            for (Golden.Prompt p : golden.prompts()) {
                Glm4MoeModel.Output o = model.forward(Batch.of(0, 0, p.tokens(), true), model.newCache(p.tokens().length, 1));
                float[][] expected = p.matrix("logits");
                for (int t = 0; t < expected.length; t++) {
                    assertThat(o.logitsRow(t)).as("%s %s position %d", variant, p.name(), t).containsExactly(expected[t], within(1e-3f));
                }
            }
        }
    }

    @Test
    void otherTypesFollowTheConvertersAndLlamaQuantizesChoices() {
        try (HfCheckpoint checkpoint = HfCheckpoint.open(HF.resolve("tiny-glm45air-bf16"))) {
            assertThat(CheckpointToGguf.defaultType(checkpoint)).isEqualTo(FileType.BF16);
            try (HfCheckpoint f32 = HfCheckpoint.open(Path.of("glm4j-core/src/test/resources/io/glm4j/hf/tiny-glm45group-f32-hf"))) {
                assertThat(CheckpointToGguf.defaultType(f32)).isEqualTo(FileType.F16); // llama.cpp's auto: no 16-bit matrix, so F16
            }
            Map<String, GgmlType> bf16 = types(CheckpointToGguf.plan(checkpoint, FileType.BF16));
            assertThat(bf16).containsEntry("blk.1.ffn_gate_exps.weight", GgmlType.BF16).containsEntry("blk.1.ffn_gate_inp.weight", GgmlType.F32)
                    .containsEntry("blk.1.attn_q.bias", GgmlType.F32).containsEntry("output_norm.weight", GgmlType.F32);
            try (GgufFile q4km = GgufFile.open(Fixtures.model("Q4_K_M"))) {
                Map<String, GgmlType> fixture = new java.util.HashMap<>();
                q4km.tensors().values().forEach(t -> fixture.put(t.name(), t.type()));
                assertThat(types(CheckpointToGguf.plan(checkpoint, FileType.Q4_K_M))).isEqualTo(fixture);
            }
        }
    }

    @Test
    void aFailedConversionLeavesNoFileBehind() throws IOException {
        Path out = tmp.resolve("model.gguf");
        try (HfCheckpoint checkpoint = HfCheckpoint.open(HF.resolve("tiny-glm45air-fp8"))) {
            GgufOutput plan = CheckpointToGguf.plan(checkpoint, FileType.Q8_0);
            assertThatThrownBy(() -> plan.write(out, WorkerPool.shared(), done -> {
                if (done > plan.dataBytes() / 2) throw new IllegalStateException("disk full");
            })).hasMessage("disk full");
        }
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    private Path convert(String variant, FileType type) {
        Path out = tmp.resolve(variant + "-" + type + ".gguf");
        try (HfCheckpoint checkpoint = HfCheckpoint.open(HF.resolve("tiny-glm45air-" + variant))) {
            CheckpointToGguf.plan(checkpoint, type).write(out, WorkerPool.shared(), done -> {});
        }
        return out;
    }

    private static Map<String, GgmlType> types(GgufOutput plan) {
        Map<String, GgmlType> types = new java.util.HashMap<>();
        plan.tensors().forEach(t -> types.put(t.name(), t.type()));
        return types;
    }

    /** The value each stored element stands for, computed here from the raw bytes: bf16 or f32 as is, fp8 times its row's scale. */
    private static float[] exactValues(HfCheckpoint checkpoint, Tensor part, String name, int expert) {
        String hf = name.contains("_exps") ? io.glm4j.hf.HfTensorNames.ofExpert(name, expert) : io.glm4j.hf.HfTensorNames.of(name);
        Tensor raw = checkpoint.shards().tensor(hf);
        float[] values = new float[Math.toIntExact(raw.elementCount())];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (raw.type()) {
                case BF16 -> Float.intBitsToFloat(raw.data().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i) << 16);
                case F32 -> raw.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i);
                default -> {
                    float scale = checkpoint.shards().tensor(hf + "_scale").data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * (i / raw.cols()));
                    yield (float) fp8(raw.data().get(ValueLayout.JAVA_BYTE, i)) * scale;
                }
            };
        }
        return values;
    }

    /** e4m3fn by its definition: sign, 4 exponent bits (bias 7), 3 mantissa bits, exponent 0 subnormal. */
    private static double fp8(byte b) {
        int exponent = (b >> 3) & 15, mantissa = b & 7;
        double magnitude = exponent == 0 ? mantissa / 8.0 * Math.pow(2, -6) : (1 + mantissa / 8.0) * Math.pow(2, exponent - 7);
        return b < 0 ? -magnitude : magnitude;
    }
}
