package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Weights repacked into row groups give, through {@link MatMul}, the product of gguf-py's
 * dequantized weights with the rounded activations, as the stored rows do: one matrix and an
 * expert sliced out of a stack of two, for one token and a small batch.
 */
class RowGroupsTest {
    private static final int COLS = 512;

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void repackedMatricesGiveTheProductOfTheDequantizedWeights(GgmlType type) {
        Assumptions.assumeTrue(Int8Lanes.AVAILABLE, "row-group kernels need 512-bit vectors");
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        int rows = 2 * RowGroupKernel.ROWS;
        // two 32-row experts whose blocks are reference blocks picked at random, with their gguf-py values
        int blocksPerRow = COLS / type.blockSize, refBlocks = ref.values().length / type.blockSize;
        byte[] raw = new byte[Math.toIntExact(type.bytesFor(2L * rows * COLS))];
        float[] values = new float[2 * rows * COLS];
        Random pick = new Random(7);
        for (int b = 0; b < 2 * rows * blocksPerRow; b++) {
            int k = pick.nextInt(refBlocks);
            System.arraycopy(ref.raw(), k * type.blockBytes, raw, b * type.blockBytes, type.blockBytes);
            System.arraycopy(ref.values(), k * type.blockSize, values, b * type.blockSize, type.blockSize);
        }
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MemorySegment data = arena.allocate(raw.length);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, data, 0, raw.length);
            Tensor stack = new Tensor("stack", type, new long[] {COLS, rows, 2}, data);
            assertThat(RowGroups.supports(stack)).isTrue();
            MemorySegment groups = arena.allocate(RowGroups.bytes(stack));
            RowGroups.pack(stack, 0, RowGroups.groupCount(stack), groups);
            Tensor packed = stack.withGroups(groups);

            for (int expert = 0; expert < 2; expert++) {
                Tensor w = packed.slice(expert);
                assertThat(w.groups()).isNotNull();
                for (int tokens : new int[] {1, 3}) {
                    float[] x = new float[tokens * COLS];
                    Random random = new Random(tokens);
                    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
                    QuantizedActivations rounded = new QuantizedActivations();
                    rounded.quantize(ActivationFormat.of(type), x, tokens, COLS, null);
                    float[] out = new float[tokens * rows];

                    MatMul.multiply(pool, w, x, tokens, out);

                    for (int t = 0; t < tokens; t++) {
                        for (int o = 0; o < rows; o++) {
                            double expected = 0, magnitude = 0;
                            for (int i = 0; i < COLS; i++) {
                                double term = (double) values[(expert * rows + o) * COLS + i] * rounded.values()[t * COLS + i];
                                expected += term;
                                magnitude += Math.abs(term);
                            }
                            assertThat((double) out[t * rows + o]).as("%s expert %d, %d tokens: token %d row %d", type, expert, tokens, t, o)
                                    .isCloseTo(expected, offset(1e-5 * magnitude + 1e-30));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0"})
    void onlyWholeGroupsOfRowsAreRepacked(GgmlType type) {
        Tensor odd = new Tensor("odd", type, new long[] {COLS, 24}, MemorySegment.ofArray(new byte[(int) type.bytesFor(24L * COLS)]));
        assertThat(RowGroups.supports(odd)).isFalse();
        Tensor matrix = new Tensor("m", type, new long[] {COLS, 16}, MemorySegment.ofArray(new byte[(int) type.bytesFor(16L * COLS)]));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> matrix.withGroups(MemorySegment.ofArray(new byte[10])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row groups");
        assertThat(Arrays.asList(GgmlType.values())).contains(type);
    }
}
