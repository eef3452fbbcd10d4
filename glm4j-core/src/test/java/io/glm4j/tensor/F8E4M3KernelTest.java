package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** float8 e4m3fn against its definition (OCP FP8 / PyTorch {@code float8_e4m3fn}). */
class F8E4M3KernelTest {

    /** Sign, 4 exponent bits (bias 7), 3 mantissa bits; exponent 0 is subnormal (m/8 · 2^-6); 0x7F is NaN. */
    static double definition(int b) {
        int sign = b >> 7, exponent = (b >> 3) & 15, mantissa = b & 7;
        if ((b & 0x7F) == 0x7F) return Double.NaN;
        double magnitude = exponent == 0 ? mantissa / 8.0 * Math.pow(2, -6) : (1 + mantissa / 8.0) * Math.pow(2, exponent - 7);
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void everyByteDecodesToItsDefinedValue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(256);
            for (int b = 0; b < 256; b++) all.set(ValueLayout.JAVA_BYTE, b, (byte) b);
            float[] out = new float[256];
            RowKernel.of(GgmlType.F8_E4M3).dequantize(all, 0, out, 0, 256);
            for (int b = 0; b < 256; b++) assertThat(Double.valueOf(out[b])).as("byte 0x%02x", b).isEqualTo(Double.valueOf(definition(b)));
        }
        assertThat(F8E4M3Kernel.decode((byte) 0x7E)).isEqualTo(448f);
        assertThat(F8E4M3Kernel.decode((byte) 0x38)).isEqualTo(1f);
        assertThat(F8E4M3Kernel.decode((byte) 0x01)).isEqualTo(0x1p-9f);
        assertThat(F8E4M3Kernel.decode((byte) 0x80)).isEqualTo(-0f);
    }

    @Test
    void dotMatchesTheFloat64DotAtAnyOffsetAndLength() {
        Random random = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(300);
            for (int i = 0; i < 300; i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) finiteByte(random));
            float[] x = new float[300];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            for (int[] c : new int[][] {{0, 0, 256}, {13, 5, 200}, {7, 3, 9}, {1, 0, 3}}) {
                int offset = c[0], xOffset = c[1], count = c[2];
                double want = 0, bound = 0;
                for (int i = 0; i < count; i++) {
                    double w = definition(data.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF);
                    want += w * x[xOffset + i];
                    bound += Math.abs(w * x[xOffset + i]);
                }
                assertThat((double) RowKernel.of(GgmlType.F8_E4M3).dot(data, offset, x, xOffset, count))
                        .as("offset %d count %d", offset, count).isCloseTo(want, offset(bound * 1e-6));
            }
        }
    }

    @Test
    void aNaNWeightMakesTheDotNaN() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(64);
            data.set(ValueLayout.JAVA_BYTE, 5, (byte) 0xFF);
            float[] x = new float[64];
            java.util.Arrays.fill(x, 1f);
            assertThat(RowKernel.of(GgmlType.F8_E4M3).dot(data, 0, x, 0, 64)).isNaN();
        }
    }

    static int finiteByte(Random random) {
        int b;
        do b = random.nextInt(256); while ((b & 0x7F) == 0x7F);
        return b;
    }
}
