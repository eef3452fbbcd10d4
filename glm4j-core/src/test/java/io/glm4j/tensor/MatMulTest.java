package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Matrix × batch on the worker pool, against the float64 product of gguf-py's dequantized weights
 * ({@link ReferenceBlocks}, read as a matrix of 256-value rows) with the activations rounded for the
 * weight type: one token and three (a dot product per token and row) and eight and thirteen (tiles
 * of dequantized rows, with tokens and rows left over from the 4 × 4 blocks), and two to eleven
 * rows out of a 64-token batch (an expert's share of a prompt, tiled where that pays for the type).
 */
class MatMulTest {
    private static final int COLS = 256;

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q6_K", "Q5_K", "Q3_K"})
    void everyBatchSizeGivesTheProductOfTheDequantizedWeightsAndTheRoundedActivations(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        int rows = Math.min(ref.values().length / COLS, 23);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MemorySegment data = arena.allocate(type.bytesFor((long) rows * COLS));
            MemorySegment.copy(MemorySegment.ofArray(ref.raw()), 0, data, 0, data.byteSize());
            Tensor w = new Tensor("w", type, new long[] {COLS, rows}, data);
            for (int[] shape : new int[][] {{1, 1}, {3, 3}, {8, 8}, {13, 13}, {2, 64}, {3, 64}, {4, 64}, {5, 64}, {11, 64}}) {
                assertMultiplyGivesTheReferenceProduct(pool, w, ref.values(), shape[0], shape[1]);
            }
        }
    }

    /**
     * Below {@link MatMul#TILED_FROM_TOKENS} every token of a batch gets exactly its single-token
     * result, even for types whose tiles pay from fewer tokens inside large batches.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q6_K"})
    void smallBatchesGiveEachTokenBitForBitItsSingleTokenResult(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        int rows = Math.min(ref.values().length / COLS, 23);
        int tokens = MatMul.TILED_FROM_TOKENS - 1;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MemorySegment data = arena.allocate(type.bytesFor((long) rows * COLS));
            MemorySegment.copy(MemorySegment.ofArray(ref.raw()), 0, data, 0, data.byteSize());
            Tensor w = new Tensor("w", type, new long[] {COLS, rows}, data);
            float[] x = new float[tokens * COLS];
            Random random = new Random(5);
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            float[] batch = new float[tokens * rows];
            MatMul.multiply(pool, w, x, tokens, batch);
            for (int t = 0; t < tokens; t++) {
                float[] single = new float[rows];
                MatMul.multiply(pool, w, java.util.Arrays.copyOfRange(x, t * COLS, (t + 1) * COLS), 1, single);
                assertThat(java.util.Arrays.copyOfRange(batch, t * rows, (t + 1) * rows)).as("%s token %d", type, t).containsExactly(single);
            }
        }
    }

    /** Gate and up of a SwiGLU FFN in one call: exactly what two calls give. */
    @ParameterizedTest
    @EnumSource(names = {"F16", "Q8_0", "Q4_K", "Q6_K"})
    void aPairOfMatricesGivesWhatTwoCallsGive(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        int rows = Math.min(ref.values().length / COLS / 2, 11);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MemorySegment data = arena.allocate(type.bytesFor(2L * rows * COLS));
            MemorySegment.copy(MemorySegment.ofArray(ref.raw()), 0, data, 0, data.byteSize());
            long half = type.bytesFor((long) rows * COLS);
            Tensor gate = new Tensor("gate", type, new long[] {COLS, rows}, data.asSlice(0, half));
            Tensor up = new Tensor("up", type, new long[] {COLS, rows}, data.asSlice(half, half));
            for (int tokens : new int[] {1, 3, 9}) {
                float[] x = new float[tokens * COLS];
                Random random = new Random(tokens);
                for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
                float[] g = new float[tokens * rows], u = new float[tokens * rows], g1 = new float[tokens * rows], u1 = new float[tokens * rows];

                MatMul.multiplyPair(pool, gate, up, x, tokens, tokens, g, u);

                MatMul.multiply(pool, gate, x, tokens, g1);
                MatMul.multiply(pool, up, x, tokens, u1);
                assertThat(g).as("%s gate, %d tokens", type, tokens).containsExactly(g1);
                assertThat(u).as("%s up, %d tokens", type, tokens).containsExactly(u1);
            }
        }
    }

    /**
     * A few tokens of a prompt against long rows (an expert's gate or up), four rows at a time
     * through the type's {@link SmallBatchKernel}, with tokens (one to three) and rows left over.
     * The reference blocks are laid out again as ten rows of 4096 values.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0"})
    void aFewTokensOfAPromptAgainstLongRowsGiveTheProductOfTheDequantizedWeights(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        int cols = 4096, rows = 10, blocksPerRow = cols / type.blockSize;
        byte[] raw = new byte[(int) type.bytesFor((long) rows * cols)];
        float[] values = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocksPerRow; b++) {
                int from = (r * 7 + b * 5) % ref.blocks(), to = r * blocksPerRow + b;
                System.arraycopy(ref.raw(), from * type.blockBytes, raw, to * type.blockBytes, type.blockBytes);
                System.arraycopy(ref.values(), from * type.blockSize, values, to * type.blockSize, type.blockSize);
            }
        }
        Assumptions.assumeTrue(Int8Lanes.AVAILABLE, "the small-batch kernel needs 512-bit vectors");
        assertThat(SmallBatchKernel.of(type)).isNotNull();
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MemorySegment data = arena.allocate(raw.length);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, data, 0, raw.length);
            Tensor w = new Tensor("w", type, new long[] {cols, rows}, data);
            assertThat(w.rowBytes()).isGreaterThanOrEqualTo(SmallBatchKernel.MIN_ROW_BYTES);
            for (int tokens : new int[] {2, 3, 4, 5, 7, 11}) assertMultiplyGivesTheReferenceProduct(pool, w, values, tokens, 64);
        }
    }

    /**
     * {@code tokens} Gaussian rows (out of a batch of {@code batchTokens}) times {@code w} give, within
     * float rounding, the float64 product of {@code values} (w's rows dequantized by gguf-py) with
     * the activations rounded for w's type.
     */
    private static void assertMultiplyGivesTheReferenceProduct(WorkerPool pool, Tensor w, float[] values, int tokens, int batchTokens) {
        int cols = w.cols(), rows = w.rows();
        float[] x = new float[tokens * cols];
        Random random = new Random(tokens);
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        QuantizedActivations rounded = new QuantizedActivations();
        rounded.quantize(ActivationFormat.of(w.type()), x, tokens, cols, null);
        float[] out = new float[tokens * rows];

        MatMul.multiply(pool, w, x, tokens, batchTokens, out);

        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < rows; o++) {
                double expected = 0, magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    double term = (double) values[o * cols + i] * rounded.values()[t * cols + i];
                    expected += term;
                    magnitude += Math.abs(term);
                }
                assertThat((double) out[t * rows + o]).as("%s, %d tokens: token %d row %d", w.type(), tokens, t, o)
                        .isCloseTo(expected, offset(1e-5 * magnitude + 1e-30));
            }
        }
    }
}
