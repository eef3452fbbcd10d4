package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Weights repacked into row groups give, through {@link MatMul}, the product of gguf-py's
 * dequantized weights with the rounded activations, as the stored rows do: one matrix and an
 * expert sliced out of a stack of two, for one token and batches; every token of a batch gets bit
 * for bit its single-token result; and several matrices in one pass give what each gives alone.
 */
class RowGroupsTest {
    /** Three Q6_K blocks: float tiles decode a row in chunks of 512 columns (AVX2) or 256 (AVX-512), so the last chunk is short or one of three. */
    private static final int COLS = 768;
    /** Seven groups: one token reads four at once, then two, then the last alone; batches read pairs and the last alone. */
    private static final int ROWS = 7 * RowGroupKernel.ROWS;

    @BeforeEach
    void needsWideVectors() {
        Assumptions.assumeTrue(GroupLanes.AVAILABLE, "row-group kernels need 256-bit vectors");
    }

    /** A stack of two 112-row experts whose blocks are reference blocks picked at random, with their gguf-py values. */
    private record Stack(Tensor tensor, float[] values) {
        static Stack of(GgmlType type, int seed, Arena arena) {
            ReferenceBlocks ref = ReferenceBlocks.load(type);
            int blocksPerRow = COLS / type.blockSize, refBlocks = ref.values().length / type.blockSize;
            byte[] raw = new byte[Math.toIntExact(type.bytesFor(2L * ROWS * COLS))];
            float[] values = new float[2 * ROWS * COLS];
            Random pick = new Random(seed);
            for (int b = 0; b < 2 * ROWS * blocksPerRow; b++) {
                int k = pick.nextInt(refBlocks);
                System.arraycopy(ref.raw(), k * type.blockBytes, raw, b * type.blockBytes, type.blockBytes);
                System.arraycopy(ref.values(), k * type.blockSize, values, b * type.blockSize, type.blockSize);
            }
            MemorySegment data = arena.allocate(raw.length);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, data, 0, raw.length);
            return new Stack(new Tensor("stack", type, new long[] {COLS, ROWS, 2}, data), values);
        }

        /** The stack repacked; its stored rows are then overwritten (fp16 scales that read as NaN), so a product that read them would show it. */
        Tensor repacked(Arena arena) {
            assertThat(RowGroups.supports(tensor)).isTrue();
            MemorySegment groups = arena.allocate(RowGroups.bytes(tensor));
            RowGroups.pack(tensor, 0, RowGroups.groupCount(tensor), groups);
            tensor.data().fill((byte) 0x7F);
            return tensor.withGroups(groups);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void repackedMatricesGiveTheProductOfTheDequantizedWeights(GgmlType type) {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            Stack stack = Stack.of(type, 7, arena);
            Tensor packed = stack.repacked(arena);
            for (int expert = 0; expert < 2; expert++) {
                Tensor w = packed.slice(expert);
                assertThat(w.groups()).isNotNull();
                // 6: four and two; 9: two steps of four tokens and one alone (for Q8_0 and Q6_K tiles: blocks of
                // eight (AVX-512) or six (AVX2) and a short one); 20: tiles of eight, eight and four, or six thrice and
                // two (Q4_0 and Q4_K too with AVX2)
                for (int tokens : new int[] {1, 3, 6, 9, 20}) {
                    float[] x = gaussian(tokens * COLS, tokens);
                    QuantizedActivations rounded = new QuantizedActivations();
                    rounded.quantize(ActivationFormat.of(type), x, tokens, COLS, null);
                    float[] out = new float[tokens * ROWS];

                    MatMul.multiply(pool, w, x, tokens, out);

                    for (int t = 0; t < tokens; t++) {
                        for (int o = 0; o < ROWS; o++) {
                            double expected = 0, magnitude = 0;
                            for (int i = 0; i < COLS; i++) {
                                double term = (double) stack.values()[(expert * ROWS + o) * COLS + i] * rounded.values()[t * COLS + i];
                                expected += term;
                                magnitude += Math.abs(term);
                            }
                            assertThat((double) out[t * ROWS + o]).as("%s expert %d, %d tokens: token %d row %d", type, expert, tokens, t, o)
                                    .isCloseTo(expected, offset(1e-5 * magnitude + 1e-30));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K"})
    void aGroupDecodesToExactlyTheReferenceValuesOfItsRows(GgmlType type) {
        try (Arena arena = Arena.ofShared()) {
            Stack stack = Stack.of(type, 11, arena);
            Tensor packed = stack.repacked(arena);
            RowGroupKernel.Tiling kernel = (RowGroupKernel.Tiling) RowGroups.kernel(type);
            float[] tile = new float[RowGroupKernel.ROWS * COLS];
            for (int g = 0; g < RowGroups.groupCount(packed); g++) {
                kernel.dequantize(packed.groups(), g * RowGroups.groupBytes(packed), COLS, tile);

                float[] rows = new float[tile.length]; // value 2j+p of row r lies at 2·ROWS·j + 2r + p
                for (int r = 0; r < RowGroupKernel.ROWS; r++) {
                    for (int i = 0; i < COLS; i++) rows[r * COLS + i] = tile[2 * RowGroupKernel.ROWS * (i / 2) + 2 * r + i % 2];
                }
                int first = g * RowGroupKernel.ROWS * COLS;
                assertThat(rows).as("%s group %d", type, g).containsExactly(java.util.Arrays.copyOfRange(stack.values(), first, first + tile.length));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void eachTokenOfABatchGetsItsSingleTokenResult(GgmlType type) {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            Tensor w = Stack.of(type, 8, arena).repacked(arena).slice(1);
            for (int tokens : new int[] {6, 7}) { // four, then two or three left over (from 8 tokens on, Q8_0 and Q6_K take tiles)
                float[] x = gaussian(tokens * COLS, 9);
                float[] batch = new float[tokens * ROWS];
                MatMul.multiply(pool, w, x, tokens, batch);
                for (int t = 0; t < tokens; t++) {
                    float[] single = new float[ROWS];
                    MatMul.multiply(pool, w, java.util.Arrays.copyOfRange(x, t * COLS, (t + 1) * COLS), 1, single);
                    assertThat(java.util.Arrays.copyOfRange(batch, t * ROWS, (t + 1) * ROWS)).as("%s, %d tokens: token %d", type, tokens, t)
                            .containsExactly(single);
                }
            }
        }
    }

    @Test
    void severalMatricesInOnePassGiveWhatEachGivesAlone() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            Tensor q4 = Stack.of(GgmlType.Q4_0, 1, arena).repacked(arena).slice(0);
            Tensor q4k = Stack.of(GgmlType.Q4_K, 2, arena).repacked(arena).slice(1);
            Tensor storedQ4k = Stack.of(GgmlType.Q4_K, 3, arena).tensor().slice(0); // no groups: the lane order differs
            Tensor q6 = Stack.of(GgmlType.Q6_K, 4, arena).repacked(arena).slice(0);
            float[] shared = gaussian(COLS, 5), own = gaussian(COLS, 6);
            Tensor[] w = {q4, q4k, storedQ4k, q6, q4k};
            float[][] x = {shared, shared, shared, shared, own};
            float[][] out = new float[w.length][ROWS];

            MatMul.multiplyEach(pool, w, x, out);

            for (int i = 0; i < w.length; i++) {
                float[] alone = new float[ROWS];
                MatMul.multiply(pool, w[i], x[i], 1, alone);
                assertThat(out[i]).as("matrix %d", i).containsExactly(alone);
            }
        }
    }

    /**
     * Q4_0's kernels multiply whole bytes and let the short sums wrap: nibbles of 15 against
     * quants of ±127 (the largest products), and fp16 scales that are negative, subnormal or the
     * largest finite, still give the exact dot products: short rows, whose groups one token reads
     * one after another, and long ones, read four at once.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {512, 4096})
    void q4_0ExtremeNibblesAndScalesStayExact(int cols) {
        GgmlType type = GgmlType.Q4_0;
        short[] scales = {0x3C00, (short) 0xBC00, 0x0001, (short) 0x83FF, 0x7BFF, (short) 0x8000, 0x2E66};
        int blocksPerRow = cols / 32, rows = 5 * RowGroupKernel.ROWS; // four groups at once and one alone
        byte[] raw = new byte[Math.toIntExact(type.bytesFor((long) rows * cols))];
        float[] values = new float[rows * cols];
        Random random = new Random(12);
        for (int b = 0; b < rows * blocksPerRow; b++) {
            short d = scales[b % scales.length];
            raw[18 * b] = (byte) d;
            raw[18 * b + 1] = (byte) (d >> 8);
            for (int i = 0; i < 16; i++) {
                int lo = switch (b % 4) { case 0 -> 15; case 1 -> 0; default -> random.nextInt(16); };
                int hi = switch (b % 4) { case 0, 1 -> 15; case 2 -> 0; default -> random.nextInt(16); };
                raw[18 * b + 2 + i] = (byte) (lo | hi << 4);
                values[32 * b + i] = Float.float16ToFloat(d) * (lo - 8);
                values[32 * b + 16 + i] = Float.float16ToFloat(d) * (hi - 8);
            }
        }
        float[] x = new float[5 * cols]; // every quant ±127: all +, all −, low half − and high half +, and the reverse, then mixed
        for (int i = 0; i < x.length; i++) {
            int t = i / cols, k = i % 32;
            x[i] = switch (t) { case 0 -> 1f; case 1 -> -1f; case 2 -> k < 16 ? -1f : 1f; case 3 -> k < 16 ? 1f : -1f; default -> random.nextBoolean() ? 1f : -1f; };
        }
        assertRepackedProductsExact(type, raw, values, rows, cols, x, 1, 5);
    }

    /**
     * Q6_K's fields are multiplied where they lie and their shorts wrap (see {@link Q6KRowGroups}):
     * quants of 0 and 63, group scales of −128 and 127 and activations of ±127 must still give
     * the exact sums, for one token (four groups and a lone one) and two.
     */
    @Test
    void q6_KExtremeQuantsAndScalesStayExact() {
        GgmlType type = GgmlType.Q6_K;
        int cols = 512, rows = 5 * RowGroupKernel.ROWS, blocksPerRow = cols / 256;
        byte[] raw = new byte[Math.toIntExact(type.bytesFor((long) rows * cols))];
        float[] values = new float[rows * cols];
        Random random = new Random(13);
        for (int b = 0; b < rows * blocksPerRow; b++) {
            int block = 210 * b;
            short d = (short) (b % 3 == 0 ? 0x3C00 : 0xBA00); // 1 and −0.75
            raw[block + 208] = (byte) d;
            raw[block + 209] = (byte) (d >> 8);
            for (int g = 0; g < 16; g++) raw[block + 192 + g] = (byte) (g % 2 == 0 ? -128 : g % 3 == 0 ? 127 : random.nextInt(256));
            for (int v = 0; v < 256; v++) {
                int q = switch ((b + v / 16) % 4) { case 0 -> 63; case 1 -> 0; default -> random.nextInt(64); };
                int half = v / 128, quarter = v % 128 / 32, i = v % 32;
                raw[block + half * 64 + (quarter & 1) * 32 + i] |= (byte) ((q & 0xF) << 4 * (quarter >> 1));
                raw[block + 128 + half * 32 + i] |= (byte) ((q >> 4) << 2 * quarter);
                values[256 * b + v] = Float.float16ToFloat(d) * raw[block + 192 + v / 16] * (q - 32);
            }
        }
        float[] x = new float[2 * cols]; // every quant ±127: groups of 16 all + or all −, then mixed
        for (int i = 0; i < x.length; i++) x[i] = i < cols ? (i / 16 % 2 == 0 ? 1f : -1f) : random.nextBoolean() ? 1f : -1f;
        assertRepackedProductsExact(type, raw, values, rows, cols, x, 1, 2);
    }

    /**
     * {@code raw} (rows of {@code type} whose values are {@code values}) repacked into groups: the
     * product with the first {@code tokens} rows of {@code x}, for each token count given, equals
     * the double-precision sum over the values and the rounded activations.
     */
    private static void assertRepackedProductsExact(GgmlType type, byte[] raw, float[] values, int rows, int cols, float[] x, int... tokenCounts) {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MemorySegment data = arena.allocate(raw.length);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, data, 0, raw.length);
            Tensor stored = new Tensor("extremes", type, new long[] {cols, rows}, data);
            MemorySegment groups = arena.allocate(RowGroups.bytes(stored));
            RowGroups.pack(stored, 0, RowGroups.groupCount(stored), groups);
            Tensor w = stored.withGroups(groups);
            QuantizedActivations rounded = new QuantizedActivations();
            rounded.quantize(ActivationFormat.of(type), x, x.length / cols, cols, null);
            for (int tokens : tokenCounts) {
                float[] out = new float[tokens * rows];
                MatMul.multiply(pool, w, x, tokens, out);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < rows; r++) {
                        double expected = 0;
                        for (int i = 0; i < cols; i++) expected += (double) values[r * cols + i] * rounded.values()[t * cols + i];
                        assertThat((double) out[t * rows + r]).as("%d tokens: token %d row %d", tokens, t, r).isCloseTo(expected, offset(1e-5 * Math.abs(expected) + 1e-3));
                    }
                }
            }
        }
    }

    @Test
    void onlyWholeGroupsOfRowsAreRepacked() {
        GgmlType type = GgmlType.Q4_0;
        int oddRows = RowGroupKernel.ROWS + 4;
        Tensor odd = new Tensor("odd", type, new long[] {COLS, oddRows}, MemorySegment.ofArray(new byte[(int) type.bytesFor((long) oddRows * COLS)]));
        assertThat(RowGroups.supports(odd)).isFalse();
        Tensor matrix = new Tensor("m", type, new long[] {COLS, 16}, MemorySegment.ofArray(new byte[(int) type.bytesFor(16L * COLS)]));
        assertThatThrownBy(() -> matrix.withGroups(MemorySegment.ofArray(new byte[10])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row groups");
    }

    private static float[] gaussian(int n, int seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }
}
