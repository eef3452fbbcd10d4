package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Stored rows times a few tokens (an expert's share of a prompt), four rows at a time: each weight
 * is decoded once into registers and used for every token, instead of decoded again per token (a
 * dot per token and row) or written to a float tile and read back ({@link TiledMatMul}). Results
 * are float sums of the dequantized weights times the rounded activations, as tiles give.
 *
 * <p>As in {@link RowGroupKernel}, each method is one loop nest whose vectors never cross a call
 * that C2 might not inline.
 */
interface SmallBatchKernel {
    /**
     * Shorter rows are left to the other paths, which read one row at a time: four short rows read
     * side by side stream badly from memory. Measured in the Q8_0 slice's prompt (64 tokens): the
     * 4096 × 1408 expert downs (1496-byte rows) took 266 ms through this kernel against 242 ms through
     * dots and tiles, while the 1408 × 4096 gates and ups (4352-byte rows) took 596–671 against 760.
     */
    int MIN_ROW_BYTES = 4096;

    /** From how many tokens {@link TiledMatMul} is faster, measured on an expert-sized matrix (1408 × 4096, one thread). */
    int tiledFromTokens();

    /**
     * Rows {@code row}, {@code row + rowBytes}, … (four) against the activations at {@code x0..x3}
     * ({@code cols} values each): token t's four results at {@code out[o_t..o_t+3]}.
     */
    void fourByFour(MemorySegment data, long row, long rowBytes, int cols, float[] x, int x0, int x1, int x2, int x3,
            float[] out, int o0, int o1, int o2, int o3);

    /** {@link #fourByFour} for two tokens. */
    void fourByTwo(MemorySegment data, long row, long rowBytes, int cols, float[] x, int x0, int x1, float[] out, int o0, int o1);

    /** The kernel for a storage type, or null where it has none. */
    static SmallBatchKernel of(GgmlType type) {
        return type == GgmlType.Q8_0 && Int8Lanes.AVAILABLE ? Q8_0SmallBatch.INSTANCE : null;
    }
}
