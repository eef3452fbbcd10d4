package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.VectorShuffle;

/**
 * A storage type repacked so that the blocks of {@link #ROWS} consecutive rows lie interleaved
 * ({@link RowGroups}): a decode kernel then computes 16 rows (8 with AVX2) at once with one row per vector lane,
 * multiplying each unpacked weight vector with one broadcast pair of activations, instead of
 * reducing across lanes and scaling once per block and row. That halves the instructions per
 * weight, which is what bounds the row-at-a-time int8 kernels.
 *
 * <p>Each kernel method is one loop nest with constant shifts and no helper that returns a vector:
 * too large for C2 to inline into its callers, it compiles as its own root, and a vector handed
 * across a call C2 did not inline would be boxed. The four-token and four-group forms repeat each
 * token's and group's work written out for the same reason.
 *
 * <p>Where a left shift of short lanes is followed by an arithmetic right shift of at least as many
 * bits, the left shift runs on ints: the bits it carries into the next short land below those the
 * right shift keeps, and an int shift takes its count as an immediate, where C2 gives each short
 * shift's count a vector register of its own (a dozen live at once in the Q6_K loops). Q5_0's
 * one-token pair of groups: 37.7 → 42.5 GMAC/s (one thread in cache).
 *
 * <p>Loop strides: where a one-token loop steps through the groups by a constant number of bytes,
 * C2 splits it into pre-, main and post-loops to take the segment's bounds checks out of the main
 * loop, and in these loops the copies cost more than the checks. A stride read from a final
 * instance field (assigned in the constructor, so javac does not fold it) is opaque to that
 * transformation and keeps one loop. One thread in cache, cycles per 128 products: Q4_K one group
 * 14.0 → 12.3 (its minima's loop too), Q4_0 four groups 14.8 → 13.6, Q8_0 one group 26.2 →
 * 24.2–24.9, Q6_K one group 14.6 → 14.2–14.5; the Q4_0 and Q5_0 one-group forms, the four-token
 * forms and Q6_K's scale loads were no faster or slower so, and keep their constants.
 */
interface RowGroupKernel {
    /**
     * Rows per group: 16 with AVX-512, 8 with AVX2 ({@link GroupLanes}). Not a compile-time
     * constant, so neither are the layout constants built on it: each kernel creates its instance
     * after them.
     */
    int ROWS = GroupLanes.ROWS;
    /** Bytes of a run of two bytes a row (a vector of pairs, lane 2r+p, before widening). */
    int PAIR_RUN = 2 * ROWS;
    /** Lane 2r+p takes lane r of a vector of the rows' values (the first half of the rows), or lane ROWS/2+r (the second half): a per-row scale spread over a group's lanes. */
    VectorShuffle<Float> LOW_ROWS = VectorShuffle.fromOp(GroupLanes.F, i -> i / 2), HIGH_ROWS = VectorShuffle.fromOp(GroupLanes.F, i -> ROWS / 2 + i / 2);

    /**
     * Derives what the kernel reads from the activations beyond their pairs, once per product on
     * the calling thread before its rows are shared out; by default nothing.
     */
    default void prepare(QuantizedActivations x) {}

    /** Bytes of one packed group of {@link #ROWS} rows of {@code cols} values. */
    long groupBytes(int cols);

    /** Packs {@link #ROWS} stored rows ({@code rowBytes} apart, from {@code offset}) into one group at {@code dstOffset}. */
    void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols);

    /**
     * The {@link #ROWS} dot products of the group at {@code group} with one row of activations (natural lane
     * order) starting at {@code xOffset}, into {@code out[outOffset..outOffset+15]}.
     */
    void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset);

    /**
     * {@link #dot} for two groups ({@code first} and {@code second}) and four tokens (activations
     * at {@code x0..x3}): token t's results for {@code first} at {@code o_t}, those for
     * {@code second} right after them. Each weight vector is unpacked once for the four tokens and
     * each broadcast activation pair meets both groups; bit for bit what {@link #dot} gives, so a
     * token given twice with the same {@code o_t} writes the same results twice.
     */
    void dot4(MemorySegment groups, long first, long second, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
            float[] out, int o0, int o1, int o2, int o3);

    /**
     * {@link #dot} for two groups ({@code first} and {@code second}) and one token: the results
     * for {@code first} at {@code outOffset}, those for {@code second} right after them; bit for bit
     * what {@link #dot} gives. By default {@link #dot} on each; Q4_0 and Q5_0 share each broadcast between both.
     */
    default void dotPair(MemorySegment groups, long first, long second, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        dot(groups, first, x, xOffset, cols, out, outOffset);
        dot(groups, second, x, xOffset, cols, out, outOffset + ROWS);
    }

    /**
     * {@link #dot} for the four consecutive groups from {@code first}, {@code groupBytes} apart, and
     * one token: their results one after another from {@code outOffset}; bit for bit what
     * {@link #dot} gives. A decode step's product reads its groups four at a time, so each thread
     * keeps four streams of weights going through memory, and a row of short groups (an expert's
     * down matrix) restarts them half as often. By default {@link #dotPair} on each half; Q8_0 and
     * Q6_K read all four at once, Q4_0 too but for short rows one after another, as Q5_0 always does:
     * each kernel's choice is what streamed fastest from memory.
     */
    default void dotQuad(MemorySegment groups, long first, long groupBytes, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        dotPair(groups, first, first + groupBytes, x, xOffset, cols, out, outOffset);
        dotPair(groups, first + 2 * groupBytes, first + 3 * groupBytes, x, xOffset, cols, out, outOffset + 2 * ROWS);
    }

    /** {@link #dotQuad} as four {@link #dot}s, one group after another: a single stream through memory. */
    default void dotOneAfterAnother(MemorySegment groups, long first, long groupBytes, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        for (int i = 0; i < 4; i++) dot(groups, first + i * groupBytes, x, xOffset, cols, out, outOffset + i * ROWS);
    }

    /**
     * {@link #dot4} for two tokens (an expert's two tokens left over after fours), bit for bit what
     * {@link #dot} gives. By default through {@link #dot4} with the second token given three times,
     * its results landing three times in the same place; kernels that compute two tokens in about
     * half the time override it.
     */
    default void dot2(MemorySegment groups, long first, long second, QuantizedActivations x, int x0, int x1, int cols,
            float[] out, int o0, int o1) {
        dot4(groups, first, second, x, x0, x1, x1, x1, cols, out, o0, o1, o1, o1);
    }

    /**
     * A kernel whose groups are slower than float tiles for large batches: from
     * {@link #tiledFromTokens} tokens on, each group is decoded into a float tile that keeps its
     * interleaved layout ({@link GroupTiledMatMul}), so a repacked matrix never reads its stored
     * rows and they need not stay in memory. (Q4_0's and Q4_K's groups are faster at every batch
     * size with AVX-512, where they say so with {@link Integer#MAX_VALUE}; Q5_0's everywhere.)
     */
    interface Tiling extends RowGroupKernel {
        /**
         * From how many tokens a matrix product is faster through tiles than through {@link #dot4},
         * measured on one matrix with one thread; never below
         * {@link MatMul#TILED_FROM_TOKENS}, under which a batch gives each token its single-token result.
         */
        int tiledFromTokens();

        /**
         * The group at {@code group} as {@link #ROWS} rows of {@code cols} floats, interleaved as the groups
         * are: value 2j+p of row r at {@code dst[2·ROWS·j + 2r + p]}; each value bit for bit what the
         * type's {@link RowKernel#dequantize} gives for the stored row.
         */
        void dequantize(MemorySegment groups, long group, int cols, float[] dst);
    }

    /**
     * A kernel whose four-token form reads one group at a time: {@link #dot4} over two groups is
     * its one-group form {@link #dot4One} on each (Q4_0 shares each broadcast between both groups instead).
     */
    interface OneGroupAtATime extends RowGroupKernel {
        /** {@link RowGroupKernel#dot4} for the one group at {@code group}: token t's results at {@code o_t}. */
        void dot4One(MemorySegment groups, long group, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
                float[] out, int o0, int o1, int o2, int o3);

        @Override
        default void dot4(MemorySegment groups, long first, long second, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
                float[] out, int o0, int o1, int o2, int o3) {
            dot4One(groups, first, x, x0, x1, x2, x3, cols, out, o0, o1, o2, o3);
            dot4One(groups, second, x, x0, x1, x2, x3, cols, out, o0 + ROWS, o1 + ROWS, o2 + ROWS, o3 + ROWS);
        }
    }

    /**
     * Reads one int from each of {@code lines} cache lines, 64 bytes apart from {@code from}, and
     * returns −0, which added to a float changes no bit of it; a kernel adds it to its sum so that
     * C2 keeps the reads. It is for lines a one-token kernel would first read behind the hardware
     * prefetcher's ascending stream (a block column's scales, read one sub-block at a time while its
     * quants stream past): each such read misses on its own, one after another, where reads issued
     * together at the column's start miss at once.
     */
    static float touchLines(MemorySegment groups, long from, int lines) {
        int bits = 0;
        for (int i = 0; i < lines; i++) bits ^= groups.get(ValueLayout.JAVA_INT_UNALIGNED, from + 64L * i);
        return -0f * (bits & 0x7FFFFFFF);
    }

    /**
     * Packs row {@code r}'s block at {@code block} into the group's block column at {@code out}, as
     * Q4_0, Q5_0 and Q8_0 groups lay it out: the block's leading fp16 scale as short r of the group's
     * scales, then its quant bytes 2j and 2j+1 (counted from {@code quantsAt}) as short r of run j,
     * for {@code runs} runs of {@link #PAIR_RUN} bytes after the scales.
     */
    static void packScaleAndRuns(MemorySegment rows, long block, int quantsAt, int runs, MemorySegment dst, long out, int r) {
        dst.set(HalfFloats.LE_SHORT, out + 2 * r, rows.get(HalfFloats.LE_SHORT, block));
        for (int j = 0; j < runs; j++) {
            dst.set(HalfFloats.LE_SHORT, out + 2 * ROWS + PAIR_RUN * j + 2 * r, rows.get(HalfFloats.LE_SHORT, block + quantsAt + 2 * j));
        }
    }
}
