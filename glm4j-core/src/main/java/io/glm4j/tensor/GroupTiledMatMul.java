package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight × activations for large batches of a repacked matrix ({@link RowGroupKernel.Tiling}): each
 * group is decoded once into a float tile that keeps the groups' interleaved layout (pair column j:
 * value 2j+p of row r in lane 2r+p) and multiplied with every token, eight at a time with AVX-512, six
 * with AVX2 (four for a last block of at most four). A pair column is two vectors (the first and
 * second half of the group's rows), at the machine's vector size as the groups are
 * ({@link GroupLanes}). A token's pair of activations, broadcast to all lanes, meets the pair
 * column's two vectors, so the two vectors loaded feed two fused multiply-adds a token and no sum
 * crosses lanes until a tile's results are written. In cache this ran at 55 GMAC/s a core on AVX-512 (the FMA peak is 57,
 * whole rows decoded at once), against 49–51 for {@link TiledMatMul}'s row-major tiles.
 */
final class GroupTiledMatMul {
    private static final VectorSpecies<Float> F = GroupLanes.F;
    private static final VectorSpecies<Long> L = F.withLanes(long.class);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int ROWS = RowGroupKernel.ROWS, PAIR = 2 * ROWS;
    /** Columns decoded at a time: a tile of 16 KiB, a multiple of every tiled type's block (Q6_K's 256). */
    private static final int CHUNK = 4096 / ROWS;
    private static final ThreadLocal<float[]> TILES = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<long[]> PAIRS = ThreadLocal.withInitial(() -> new long[0]);

    private GroupTiledMatMul() {}

    /**
     * {@code out[t·outDim + o] = Σ_i W[o][i] · x[t·in + i]} for {@code tokens} rows of {@code x} (the
     * activations already rounded for the weight type), {@code W} read from {@code w}'s groups only.
     * Each group is decoded {@link #CHUNK} columns at a time, so that its tile stays in the level-1
     * cache while every token passes over it; the sums carry from chunk to chunk, so the result is
     * what whole rows give. AVX2, one thread, a 256 × 4096 Q8_0 matrix against 64 tokens: whole
     * rows (128 KiB tiles) 21.5 → 24.9 GMAC/s in blocks of six tokens, 31–35 in chunks.
     */
    static void multiply(WorkerPool pool, Tensor w, RowGroupKernel.Tiling kernel, float[] x, int tokens, float[] out) {
        int in = w.cols(), outDim = w.rows(), half = in / 2;
        long[] pairs = PAIRS.get(); // long k of a token: its values 2k (low half) and 2k+1
        if (pairs.length < tokens * half) PAIRS.set(pairs = new long[tokens * half]);
        MemorySegment.copy(MemorySegment.ofArray(x), LE_LONG, 0, pairs, 0, tokens * half);
        long[] xp = pairs;
        long groupBytes = kernel.groupBytes(in);
        pool.forRange(outDim / ROWS, 1, (start, end) -> {
            float[] tile = TILES.get();
            if (tile.length < ROWS * CHUNK) TILES.set(tile = new float[ROWS * CHUNK]);
            float[] sums = new float[PAIR * tokens];
            for (int g = start; g < end; g++) {
                Arrays.fill(sums, 0f);
                for (int from = 0; from < in; from += CHUNK) {
                    int cols = Math.min(CHUNK, in - from);
                    kernel.dequantize(w.groups(), g * groupBytes + kernel.groupBytes(from), cols, tile);
                    int t = 0;
                    if (ROWS == 16) {
                        for (; tokens - t > 4; t += 8) eightTokens(tile, cols / 2, xp, half, from / 2, t, Math.min(8, tokens - t), sums);
                    } else {
                        for (; tokens - t > 4; t += 6) sixTokens(tile, cols / 2, xp, half, from / 2, t, Math.min(6, tokens - t), sums);
                    }
                    if (t < tokens) fourTokens(tile, cols / 2, xp, half, from / 2, t, tokens - t, sums);
                }
                addLanePairs(sums, tokens, out, outDim, g * ROWS);
            }
        });
    }

    /**
     * Adds the tile's products with tokens {@code t..t+n−1} (n ≤ 8; a short block repeats its last
     * token, whose sums are then read and written twice alike) to their lane sums, token k's at
     * {@code sums[PAIR·k ...]}: pairs of columns {@code from .. from+pairs−1} of rows {@code half}
     * pairs long in {@code xp}. Eight tokens fill AVX-512's 32 registers with sums; every vector stays in
     * a local variable (a helper taking one, not inlined, would box it).
     */
    private static void eightTokens(float[] tile, int pairs, long[] xp, int half, int from, int t, int n, float[] sums) {
        int x0 = t * half + from, x1 = (t + Math.min(1, n - 1)) * half + from, x2 = (t + Math.min(2, n - 1)) * half + from, x3 = (t + Math.min(3, n - 1)) * half + from;
        int x4 = (t + Math.min(4, n - 1)) * half + from, x5 = (t + Math.min(5, n - 1)) * half + from, x6 = (t + Math.min(6, n - 1)) * half + from, x7 = (t + Math.min(7, n - 1)) * half + from;
        int s0 = PAIR * t, s1 = PAIR * (t + Math.min(1, n - 1)), s2 = PAIR * (t + Math.min(2, n - 1)), s3 = PAIR * (t + Math.min(3, n - 1));
        int s4 = PAIR * (t + Math.min(4, n - 1)), s5 = PAIR * (t + Math.min(5, n - 1)), s6 = PAIR * (t + Math.min(6, n - 1)), s7 = PAIR * (t + Math.min(7, n - 1));
        FloatVector a0 = FloatVector.fromArray(F, sums, s0), b0 = FloatVector.fromArray(F, sums, s0 + ROWS), a1 = FloatVector.fromArray(F, sums, s1), b1 = FloatVector.fromArray(F, sums, s1 + ROWS);
        FloatVector a2 = FloatVector.fromArray(F, sums, s2), b2 = FloatVector.fromArray(F, sums, s2 + ROWS), a3 = FloatVector.fromArray(F, sums, s3), b3 = FloatVector.fromArray(F, sums, s3 + ROWS);
        FloatVector a4 = FloatVector.fromArray(F, sums, s4), b4 = FloatVector.fromArray(F, sums, s4 + ROWS), a5 = FloatVector.fromArray(F, sums, s5), b5 = FloatVector.fromArray(F, sums, s5 + ROWS);
        FloatVector a6 = FloatVector.fromArray(F, sums, s6), b6 = FloatVector.fromArray(F, sums, s6 + ROWS), a7 = FloatVector.fromArray(F, sums, s7), b7 = FloatVector.fromArray(F, sums, s7 + ROWS);
        for (int j = 0; j < pairs; j++) {
            // the first half of the rows in lo, the second in hi, two lanes a row
            FloatVector lo = FloatVector.fromArray(F, tile, PAIR * j), hi = FloatVector.fromArray(F, tile, PAIR * j + ROWS);
            FloatVector p = (FloatVector) LongVector.broadcast(L, xp[x0 + j]).reinterpretShape(F, 0);
            a0 = lo.fma(p, a0);
            b0 = hi.fma(p, b0);
            p = (FloatVector) LongVector.broadcast(L, xp[x1 + j]).reinterpretShape(F, 0);
            a1 = lo.fma(p, a1);
            b1 = hi.fma(p, b1);
            p = (FloatVector) LongVector.broadcast(L, xp[x2 + j]).reinterpretShape(F, 0);
            a2 = lo.fma(p, a2);
            b2 = hi.fma(p, b2);
            p = (FloatVector) LongVector.broadcast(L, xp[x3 + j]).reinterpretShape(F, 0);
            a3 = lo.fma(p, a3);
            b3 = hi.fma(p, b3);
            p = (FloatVector) LongVector.broadcast(L, xp[x4 + j]).reinterpretShape(F, 0);
            a4 = lo.fma(p, a4);
            b4 = hi.fma(p, b4);
            p = (FloatVector) LongVector.broadcast(L, xp[x5 + j]).reinterpretShape(F, 0);
            a5 = lo.fma(p, a5);
            b5 = hi.fma(p, b5);
            p = (FloatVector) LongVector.broadcast(L, xp[x6 + j]).reinterpretShape(F, 0);
            a6 = lo.fma(p, a6);
            b6 = hi.fma(p, b6);
            p = (FloatVector) LongVector.broadcast(L, xp[x7 + j]).reinterpretShape(F, 0);
            a7 = lo.fma(p, a7);
            b7 = hi.fma(p, b7);
        }
        a0.intoArray(sums, s0);
        b0.intoArray(sums, s0 + ROWS);
        a1.intoArray(sums, s1);
        b1.intoArray(sums, s1 + ROWS);
        a2.intoArray(sums, s2);
        b2.intoArray(sums, s2 + ROWS);
        a3.intoArray(sums, s3);
        b3.intoArray(sums, s3 + ROWS);
        a4.intoArray(sums, s4);
        b4.intoArray(sums, s4 + ROWS);
        a5.intoArray(sums, s5);
        b5.intoArray(sums, s5 + ROWS);
        a6.intoArray(sums, s6);
        b6.intoArray(sums, s6 + ROWS);
        a7.intoArray(sums, s7);
        b7.intoArray(sums, s7 + ROWS);
    }

    /** As {@link #eightTokens} for n ≤ 6: twelve sums and three operands fill AVX2's 16 registers (eight tokens spill: 21.5 against 24.9 GMAC/s). */
    private static void sixTokens(float[] tile, int pairs, long[] xp, int half, int from, int t, int n, float[] sums) {
        int x0 = t * half + from, x1 = (t + Math.min(1, n - 1)) * half + from, x2 = (t + Math.min(2, n - 1)) * half + from, x3 = (t + Math.min(3, n - 1)) * half + from;
        int x4 = (t + Math.min(4, n - 1)) * half + from, x5 = (t + Math.min(5, n - 1)) * half + from;
        int s0 = PAIR * t, s1 = PAIR * (t + Math.min(1, n - 1)), s2 = PAIR * (t + Math.min(2, n - 1)), s3 = PAIR * (t + Math.min(3, n - 1));
        int s4 = PAIR * (t + Math.min(4, n - 1)), s5 = PAIR * (t + Math.min(5, n - 1));
        FloatVector a0 = FloatVector.fromArray(F, sums, s0), b0 = FloatVector.fromArray(F, sums, s0 + ROWS), a1 = FloatVector.fromArray(F, sums, s1), b1 = FloatVector.fromArray(F, sums, s1 + ROWS);
        FloatVector a2 = FloatVector.fromArray(F, sums, s2), b2 = FloatVector.fromArray(F, sums, s2 + ROWS), a3 = FloatVector.fromArray(F, sums, s3), b3 = FloatVector.fromArray(F, sums, s3 + ROWS);
        FloatVector a4 = FloatVector.fromArray(F, sums, s4), b4 = FloatVector.fromArray(F, sums, s4 + ROWS), a5 = FloatVector.fromArray(F, sums, s5), b5 = FloatVector.fromArray(F, sums, s5 + ROWS);
        for (int j = 0; j < pairs; j++) {
            // the first half of the rows in lo, the second in hi, two lanes a row
            FloatVector lo = FloatVector.fromArray(F, tile, PAIR * j), hi = FloatVector.fromArray(F, tile, PAIR * j + ROWS);
            FloatVector p = (FloatVector) LongVector.broadcast(L, xp[x0 + j]).reinterpretShape(F, 0);
            a0 = lo.fma(p, a0);
            b0 = hi.fma(p, b0);
            p = (FloatVector) LongVector.broadcast(L, xp[x1 + j]).reinterpretShape(F, 0);
            a1 = lo.fma(p, a1);
            b1 = hi.fma(p, b1);
            p = (FloatVector) LongVector.broadcast(L, xp[x2 + j]).reinterpretShape(F, 0);
            a2 = lo.fma(p, a2);
            b2 = hi.fma(p, b2);
            p = (FloatVector) LongVector.broadcast(L, xp[x3 + j]).reinterpretShape(F, 0);
            a3 = lo.fma(p, a3);
            b3 = hi.fma(p, b3);
            p = (FloatVector) LongVector.broadcast(L, xp[x4 + j]).reinterpretShape(F, 0);
            a4 = lo.fma(p, a4);
            b4 = hi.fma(p, b4);
            p = (FloatVector) LongVector.broadcast(L, xp[x5 + j]).reinterpretShape(F, 0);
            a5 = lo.fma(p, a5);
            b5 = hi.fma(p, b5);
        }
        a0.intoArray(sums, s0);
        b0.intoArray(sums, s0 + ROWS);
        a1.intoArray(sums, s1);
        b1.intoArray(sums, s1 + ROWS);
        a2.intoArray(sums, s2);
        b2.intoArray(sums, s2 + ROWS);
        a3.intoArray(sums, s3);
        b3.intoArray(sums, s3 + ROWS);
        a4.intoArray(sums, s4);
        b4.intoArray(sums, s4 + ROWS);
        a5.intoArray(sums, s5);
        b5.intoArray(sums, s5 + ROWS);
    }

    /** As {@link #eightTokens} for a block of n ≤ 4 tokens. */
    private static void fourTokens(float[] tile, int pairs, long[] xp, int half, int from, int t, int n, float[] sums) {
        int x0 = t * half + from, x1 = (t + Math.min(1, n - 1)) * half + from, x2 = (t + Math.min(2, n - 1)) * half + from, x3 = (t + Math.min(3, n - 1)) * half + from;
        int s0 = PAIR * t, s1 = PAIR * (t + Math.min(1, n - 1)), s2 = PAIR * (t + Math.min(2, n - 1)), s3 = PAIR * (t + Math.min(3, n - 1));
        FloatVector a0 = FloatVector.fromArray(F, sums, s0), b0 = FloatVector.fromArray(F, sums, s0 + ROWS), a1 = FloatVector.fromArray(F, sums, s1), b1 = FloatVector.fromArray(F, sums, s1 + ROWS);
        FloatVector a2 = FloatVector.fromArray(F, sums, s2), b2 = FloatVector.fromArray(F, sums, s2 + ROWS), a3 = FloatVector.fromArray(F, sums, s3), b3 = FloatVector.fromArray(F, sums, s3 + ROWS);
        for (int j = 0; j < pairs; j++) {
            // the first half of the rows in lo, the second in hi, two lanes a row
            FloatVector lo = FloatVector.fromArray(F, tile, PAIR * j), hi = FloatVector.fromArray(F, tile, PAIR * j + ROWS);
            FloatVector p = (FloatVector) LongVector.broadcast(L, xp[x0 + j]).reinterpretShape(F, 0);
            a0 = lo.fma(p, a0);
            b0 = hi.fma(p, b0);
            p = (FloatVector) LongVector.broadcast(L, xp[x1 + j]).reinterpretShape(F, 0);
            a1 = lo.fma(p, a1);
            b1 = hi.fma(p, b1);
            p = (FloatVector) LongVector.broadcast(L, xp[x2 + j]).reinterpretShape(F, 0);
            a2 = lo.fma(p, a2);
            b2 = hi.fma(p, b2);
            p = (FloatVector) LongVector.broadcast(L, xp[x3 + j]).reinterpretShape(F, 0);
            a3 = lo.fma(p, a3);
            b3 = hi.fma(p, b3);
        }
        a0.intoArray(sums, s0);
        b0.intoArray(sums, s0 + ROWS);
        a1.intoArray(sums, s1);
        b1.intoArray(sums, s1 + ROWS);
        a2.intoArray(sums, s2);
        b2.intoArray(sums, s2 + ROWS);
        a3.intoArray(sums, s3);
        b3.intoArray(sums, s3 + ROWS);
    }

    /** Token k's row sums, each the sum of its two lanes in {@code sums[PAIR·k ...]}, to {@code out[k·outDim + o ...]}. */
    private static void addLanePairs(float[] sums, int tokens, float[] out, int outDim, int o) {
        for (int k = 0; k < tokens; k++) {
            for (int r = 0; r < ROWS; r++) out[k * outDim + o + r] = sums[PAIR * k + 2 * r] + sums[PAIR * k + 2 * r + 1];
        }
    }
}
