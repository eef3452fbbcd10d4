package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An FP8 tensor with scales reads as {@code fp8 · scale} (a float32 product, as llama.cpp's converter
 * computes it in torch), per output row or per block, through {@link Tensor#kernel()}.
 */
class WeightScalesTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Random random = new Random(5);

    @Test
    void perRowScalesInF32AndBf16() {
        int rows = 5, cols = 40;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = fp8(arena, rows * cols);
            float[] scale = new float[rows];
            MemorySegment f32 = arena.allocate(4L * rows), bf16 = arena.allocate(2L * rows);
            for (int r = 0; r < rows; r++) {
                scale[r] = Float.intBitsToFloat(Float.floatToIntBits(random.nextFloat() / 100) & 0xFFFF0000); // exact in bf16
                f32.set(F32, 4L * r, scale[r]);
                bf16.set(I16, 2L * r, (short) (Float.floatToIntBits(scale[r]) >>> 16));
            }
            for (MemorySegment s : new MemorySegment[] {f32, bf16}) {
                GgmlType scaleType = s == f32 ? GgmlType.F32 : GgmlType.BF16;
                Tensor w = new Tensor("w", GgmlType.F8_E4M3, new long[] {cols, rows}, q,
                        new WeightScales(new Tensor("w.scale", scaleType, new long[] {1, rows}, s), 1, cols));
                float[] values = w.toFloats();
                for (int i = 0; i < rows * cols; i++) {
                    assertThat(values[i]).isEqualTo(F8E4M3Kernel.decode(q.get(ValueLayout.JAVA_BYTE, i)) * scale[i / cols]);
                }
                assertDotsMatch(w, values);
            }
        }
    }

    @Test
    void blockScalesWithPartialLastBlocks() {
        int rows = 7, cols = 10, blockRows = 3, blockCols = 4; // blocks: 3 x 3, the last ones partial
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = fp8(arena, rows * cols);
            MemorySegment s = arena.allocate(4L * 9);
            for (int i = 0; i < 9; i++) s.set(F32, 4L * i, 0.5f + i);
            Tensor w = new Tensor("w", GgmlType.F8_E4M3, new long[] {cols, rows}, q,
                    new WeightScales(new Tensor("w.scale_inv", GgmlType.F32, new long[] {3, 3}, s), blockRows, blockCols));
            float[] values = w.toFloats();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    float scale = 0.5f + (r / blockRows) * 3 + c / blockCols;
                    assertThat(values[r * cols + c]).isEqualTo(F8E4M3Kernel.decode(q.get(ValueLayout.JAVA_BYTE, r * cols + c)) * scale);
                }
            }
            assertDotsMatch(w, values);
        }
    }

    @Test
    void aStackSlicesItsScalesWithIt() {
        int rows = 3, cols = 8, experts = 4;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = fp8(arena, experts * rows * cols);
            MemorySegment s = arena.allocate(4L * experts * rows);
            for (int i = 0; i < experts * rows; i++) s.set(F32, 4L * i, i + 1);
            Tensor stack = new Tensor("exps", GgmlType.F8_E4M3, new long[] {cols, rows, experts}, q,
                    new WeightScales(new Tensor("exps.scale", GgmlType.F32, new long[] {1, rows, experts}, s), 1, cols));
            float[] all = stack.toFloats();
            float[] third = stack.slice(2).toFloats();
            assertThat(third).containsExactly(java.util.Arrays.copyOfRange(all, 2 * rows * cols, 3 * rows * cols));
        }
    }

    private void assertDotsMatch(Tensor w, float[] values) {
        float[] x = new float[w.cols()];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] out = new float[w.rows()];
        MatMul.multiply(WorkerPool.shared(), w, x, 1, out);
        for (int r = 0; r < w.rows(); r++) {
            double want = 0, bound = 0;
            for (int c = 0; c < w.cols(); c++) {
                want += (double) values[r * w.cols() + c] * x[c];
                bound += Math.abs((double) values[r * w.cols() + c] * x[c]);
            }
            assertThat((double) out[r]).as("row %d", r).isCloseTo(want, offset(bound * 1e-6 + 1e-12));
        }
    }

    private MemorySegment fp8(Arena arena, int n) {
        MemorySegment q = arena.allocate(n);
        for (int i = 0; i < n; i++) q.set(ValueLayout.JAVA_BYTE, i, (byte) F8E4M3KernelTest.finiteByte(random));
        return q;
    }
}
