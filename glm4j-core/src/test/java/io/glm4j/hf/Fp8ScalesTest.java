package io.glm4j.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.safetensors.SafetensorsShards;
import io.glm4j.safetensors.SafetensorsWriter;
import io.glm4j.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which scale layout an FP8 weight has is read from the scale's shape and the config's block size. */
class Fp8ScalesTest {
    @TempDir
    Path tmp;

    /** fp8 0x38 is 1.0, so each value is its scale. */
    private SafetensorsShards weight(String scaleName, long[] scaleShape, float... scales) {
        byte[] ones = new byte[5 * 10];
        java.util.Arrays.fill(ones, (byte) 0x38);
        new SafetensorsWriter().add("w.weight", "F8_E4M3", new long[] {5, 10}, ones)
                .add(scaleName, "F32", scaleShape, SafetensorsWriter.floats(scales)).write(tmp.resolve("model.safetensors"));
        return SafetensorsShards.open(tmp);
    }

    private static float[] values(Fp8Scales fp8, SafetensorsShards shards) {
        Tensor w = shards.tensor("w.weight");
        return fp8.attach("w.weight", w).toFloats();
    }

    @Test
    void oneScalePerRow() throws Exception {
        try (SafetensorsShards shards = weight("w.weight_scale", new long[] {5, 1}, 1, 2, 3, 4, 5)) {
            float[] v = values(new Fp8Scales(shards, new ObjectMapper().readTree("{}").path("none")), shards);
            assertThat(v[0]).isEqualTo(1);
            assertThat(v[49]).isEqualTo(5);
        }
    }

    @Test
    void blockScalesFromTheConfigsBlockSizeWithPartialBlocks() throws Exception {
        // 5 x 10 in blocks of 4 x 4: 2 x 3 scales, the last row and column blocks partial
        try (SafetensorsShards shards = weight("w.weight_scale_inv", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)) {
            var q = new ObjectMapper().readTree("{\"quant_method\": \"fp8\", \"weight_block_size\": [4, 4]}");
            float[] v = values(new Fp8Scales(shards, q), shards);
            assertThat(v[0]).isEqualTo(1);     // row 0, col 0
            assertThat(v[9]).isEqualTo(3);     // row 0, col 9
            assertThat(v[4 * 10 + 5]).isEqualTo(5); // row 4, col 5
        }
    }

    @Test
    void aScaleThatFitsNoLayoutIsRefused() throws Exception {
        try (SafetensorsShards shards = weight("w.weight_scale", new long[] {3}, 1, 2, 3)) {
            Fp8Scales fp8 = new Fp8Scales(shards, new ObjectMapper().readTree("{}").path("none"));
            assertThatThrownBy(() -> values(fp8, shards)).isInstanceOf(Glm4jException.class)
                    .hasMessage("scale 'w.weight_scale' has shape [3], which fits neither one scale per row nor per tensor of a 5x10 weight");
        }
    }
}
