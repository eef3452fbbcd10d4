package io.glm4j.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    static final Path HF = Path.of("../shared/fixtures/glm45-hf");
    static final Path GGUF_F32 = Path.of("../shared/fixtures/glm45/tiny-glm45air-F32.gguf");

    @TempDir
    Path tmp;

    /** The BF16 fixture was rounded (to nearest, ties to even) from the F32 GGUF's values. */
    @Test
    void readsABf16ShardAsViewsWithTheRoundedF32FixtureValues() {
        try (SafetensorsFile shard = SafetensorsFile.open(HF.resolve("tiny-glm45air-bf16/model-00001-of-00002.safetensors"));
             GgufFile gguf = GgufFile.open(GGUF_F32)) {
            assertThat(shard.metadata()).containsEntry("format", "pt");
            SafetensorsFile.Entry e = shard.entries().get("model.embed_tokens.weight");
            assertThat(e.dtype()).isEqualTo(Dtype.BF16);
            assertThat(e.shape()).containsExactly(640, 256);

            Tensor embedding = shard.tensor("model.embed_tokens.weight");
            assertThat(embedding.type()).isEqualTo(GgmlType.BF16);
            assertThat(embedding.ne()).containsExactly(256, 640);
            float[] exact = gguf.tensor("token_embd.weight").toFloats();
            float[] stored = embedding.toFloats();
            for (int i = 0; i < exact.length; i++) assertThat(stored[i]).isEqualTo(roundToBf16(exact[i]));
        }
    }

    @Test
    void readsFp8WeightsAndTheirF32RowScales() {
        try (SafetensorsShards fp8 = SafetensorsShards.open(HF.resolve("tiny-glm45air-fp8"))) {
            assertThat(fp8.entry("model.layers.0.self_attn.q_proj.weight").dtype()).isEqualTo(Dtype.F8_E4M3);
            assertThat(fp8.tensor("model.layers.0.self_attn.q_proj.weight").type()).isEqualTo(GgmlType.F8_E4M3);
            SafetensorsFile.Entry scale = fp8.entry("model.layers.0.self_attn.q_proj.weight_scale");
            assertThat(scale.dtype()).isEqualTo(Dtype.F32);
            assertThat(scale.shape()).containsExactly(256, 1);
            assertThat(fp8.entry("model.layers.1.mlp.gate.e_score_correction_bias").dtype()).isEqualTo(Dtype.F32);
            assertThat(fp8.names()).hasSize(269 + 228);
            assertThat(fp8.files()).hasSize(2);
        }
    }

    @Test
    void aTensorWhoseOffsetsReachPastTheDataIsRefusedByShardAndName() {
        Path file = new SafetensorsWriter().add("a", "F32", new long[] {2}, SafetensorsWriter.floats(1, 2))
                .raw("b", "F32", new long[] {2}, 8, 24).write(tmp.resolve("x.safetensors"));
        assertRefused(file, "x.safetensors: tensor 'b' has data_offsets [8, 24] outside the 8 bytes of data");
    }

    @Test
    void aTensorWhoseShapeDoesNotFitItsBytesIsRefused() {
        Path file = new SafetensorsWriter().raw("w", "BF16", new long[] {3, 4}, 0, 16).add("pad", "F32", new long[] {4}, new byte[16])
                .write(tmp.resolve("y.safetensors"));
        assertRefused(file, "tensor 'w' has 16 bytes of data but its shape [3,4] of BF16 needs 24");
    }

    @Test
    void overlappingTensorsAreRefused() {
        Path file = new SafetensorsWriter().add("a", "F32", new long[] {4}, new byte[16]).raw("b", "F32", new long[] {2}, 8, 16)
                .write(tmp.resolve("z.safetensors"));
        assertRefused(file, "tensors 'a' and 'b' overlap");
    }

    @Test
    void aHeaderLongerThanTheFileOrNotJsonIsRefused() throws IOException {
        Path longHeader = Files.write(tmp.resolve("long.safetensors"), new byte[] {(byte) 0xff, 0x7f, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertRefused(longHeader, "long.safetensors is not a safetensors file or is truncated");
        Path garbage = new SafetensorsWriter().writeWithHeader(tmp.resolve("g.safetensors"), "{\"a\": [1,");
        assertRefused(garbage, "g.safetensors: the safetensors header is not valid JSON");
        Path missingFields = new SafetensorsWriter().writeWithHeader(tmp.resolve("m.safetensors"), "{\"a\": {\"dtype\": \"F32\"}}");
        assertRefused(missingFields, "tensor 'a' needs a dtype, a shape and two data_offsets");
        Path tiny = Files.write(tmp.resolve("t.safetensors"), new byte[] {1, 2});
        assertRefused(tiny, "too short");
    }

    @Test
    void unknownDtypesFailAtOpenAndUnreadableOnesWhenRead() {
        Path unknown = new SafetensorsWriter().raw("a", "F7", new long[] {1}, 0, 1).add("pad", "U8", new long[] {1}, new byte[1])
                .write(tmp.resolve("u.safetensors"));
        assertRefused(unknown, "tensor 'a' has an unknown dtype 'F7'");
        Path ints = new SafetensorsWriter().add("ids", "I64", new long[] {2}, new byte[16]).write(tmp.resolve("i.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(ints)) {
            assertThat(f.entries().get("ids").dtype()).isEqualTo(Dtype.I64);
            assertThatThrownBy(() -> f.tensor("ids")).isInstanceOf(Glm4jException.class)
                    .hasMessage("tensor 'ids' in i.safetensors has dtype I64, which glm4j cannot read (it reads F8_E4M3, F16, BF16, F32)");
        }
    }

    static void assertRefused(Path file, String message) {
        assertThatThrownBy(() -> SafetensorsFile.open(file).close()).isInstanceOf(Glm4jException.class).hasMessageContaining(message);
    }

    /** float32 → bfloat16, round to nearest, ties to even (what torch's {@code .to(bfloat16)} does for finite values). */
    static float roundToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }
}
