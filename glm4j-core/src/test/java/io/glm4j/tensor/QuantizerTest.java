package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every quantizer against the bytes llama.cpp makes of the same values (see {@link QuantizeVectors}). */
class QuantizerTest {

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q6_K"})
    void quantizesToExactlyTheBytesLlamaCppWrites(GgmlType type) {
        QuantizeVectors ref = QuantizeVectors.load(type);
        byte[] out = new byte[ref.bytes().length];

        Quantizer.of(type).quantize(ref.values(), 0, ref.values().length, out, 0);

        for (int b = 0; b < out.length / type.blockBytes; b++) {
            int from = b * type.blockBytes, to = from + type.blockBytes;
            assertThat(Arrays.copyOfRange(out, from, to)).as("%s block %d", type, b).containsExactly(Arrays.copyOfRange(ref.bytes(), from, to));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q6_K"})
    void quantizesFromAndIntoTheMiddleOfArrays(GgmlType type) {
        QuantizeVectors ref = QuantizeVectors.load(type);
        int firstBlock = 3, blocks = 2, srcLead = 5, dstLead = 11;
        float[] src = new float[srcLead + blocks * type.blockSize];
        System.arraycopy(ref.values(), firstBlock * type.blockSize, src, srcLead, blocks * type.blockSize);
        byte[] out = new byte[dstLead + blocks * type.blockBytes + 7];
        Arrays.fill(out, (byte) 0x5A);

        Quantizer.of(type).quantize(src, srcLead, blocks * type.blockSize, out, dstLead);

        int from = firstBlock * type.blockBytes;
        assertThat(Arrays.copyOfRange(out, dstLead, dstLead + blocks * type.blockBytes))
                .containsExactly(Arrays.copyOfRange(ref.bytes(), from, from + blocks * type.blockBytes));
        assertThat(Arrays.copyOfRange(out, 0, dstLead)).containsOnly((byte) 0x5A);
        assertThat(Arrays.copyOfRange(out, dstLead + blocks * type.blockBytes, out.length)).containsOnly((byte) 0x5A);
    }

    /**
     * Decoding with glm4j's own kernels gives every value back to within one quantization step:
     * d for the 32-value types (the grid spacing, which also covers the one value that the
     * asymmetric Q4_0/Q5_0 grids clip); for the K-quants one step of the sub-block's grid plus the
     * error of storing the sub-block's scale and min as 6-bit (Q4_K) or 8-bit (Q6_K) multiples of
     * the super-block's, which can round a small sub-block's scale beside an outlier to zero.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q6_K"})
    void roundTripsWithinOneStep(GgmlType type) {
        float[] x = QuantizeVectors.load(GgmlType.Q4_K).values(); // a mix of scales and corner cases
        byte[] q = new byte[Math.toIntExact(type.bytesFor(x.length))];
        Quantizer.of(type).quantize(x, 0, x.length, q, 0);
        float[] y = new float[x.length];
        RowKernel.of(type).dequantize(MemorySegment.ofArray(q), 0, y, 0, y.length);

        for (int i = 0; i < x.length; i++) {
            assertThat(Math.abs(x[i] - y[i])).as("%s value %d: %s decoded as %s", type, i, x[i], y[i]).isLessThanOrEqualTo(step(type, x, i));
        }
    }

    private static float step(GgmlType type, float[] x, int i) {
        float tiny = 1e-6f; // scales that underflow fp16
        return switch (type) {
            case F32 -> 0;
            case F16 -> Math.abs(x[i]) * 0x1p-11f + 0x1p-25f;
            case Q8_0 -> Range.of(x, i, 32).amax / 127 * 1.01f + tiny;
            case Q4_0 -> Range.of(x, i, 32).amax / 8 * 1.01f + tiny;
            case Q5_0 -> Range.of(x, i, 32).amax / 16 * 1.01f + tiny;
            case Q4_K -> Range.of(x, i, 32).width() / 15 * 1.1f + Range.of(x, i, 256).width() / 15 / 63 * 8 + tiny;
            case Q6_K -> Range.of(x, i, 16).amax / 31 * 1.1f + Range.of(x, i, 256).amax / 32 / 128 * 16 + tiny;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** Extremes of the group of {@code n} values that holds value {@code i}, with 0 included as the K-quant mins are. */
    private record Range(float min, float max, float amax) {
        static Range of(float[] x, int i, int n) {
            float min = 0, max = 0;
            for (int k = i / n * n; k < i / n * n + n; k++) {
                min = Math.min(min, x[k]);
                max = Math.max(max, x[k]);
            }
            return new Range(min, max, Math.max(max, -min));
        }

        float width() {
            return max - min;
        }
    }

    @Test
    void f32IsStoredAsItsLittleEndianBits() {
        byte[] out = new byte[8];
        Quantizer.of(GgmlType.F32).quantize(new float[] {1.0f, -0.0f}, 0, 2, out, 0);
        assertThat(out).containsExactly(0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0x80);
    }

    @Test
    void aRowThatIsNotWholeBlocksIsRefused() {
        assertThatThrownBy(() -> Quantizer.of(GgmlType.Q4_K).quantize(new float[300], 0, 300, new byte[200], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300 values");
    }

    @Test
    void typesGlm4jCannotWriteAreNamed() {
        assertThatThrownBy(() -> Quantizer.of(GgmlType.Q3_K)).isInstanceOf(Glm4jException.class).hasMessageContaining("Q3_K");
    }
}
