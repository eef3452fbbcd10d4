package io.glm4j.tensor;

import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight × activations for batches of several tokens (prefill, experts with several tokens):
 * tiles of weight rows are dequantized once into a float buffer of the worker thread and then
 * multiplied with every token, four rows by four tokens at a time so that each vector load feeds
 * four fused multiply-adds. Each stored weight is read and decoded once per batch, not once per token.
 */
final class TiledMatMul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    /** Rows must be whole vectors. */
    static final int VECTOR_FLOATS = F.length();
    /** Floats of one dequantized tile (256 KB): with a block of tokens it stays in a 1 MB L2. */
    private static final int TILE_FLOATS = 1 << 16;
    private static final ThreadLocal<float[]> TILES = ThreadLocal.withInitial(() -> new float[0]);

    private TiledMatMul() {}

    /**
     * {@code out[t·outDim + o] = Σ_i W[o][i] · x[t·in + i]} for {@code tokens} rows of {@code x}, the
     * activations already rounded for the weight type.
     */
    static void multiply(WorkerPool pool, Tensor w, RowKernel kernel, float[] x, int tokens, float[] out) {
        int in = w.cols();
        int outDim = w.rows();
        int tileRows = Math.max(4, Math.min(16, TILE_FLOATS / in / 4 * 4));
        long rowBytes = w.rowBytes();
        int tiles = (outDim + tileRows - 1) / tileRows;
        pool.forRange(tiles, 1, (start, end) -> {
            float[] tile = TILES.get();
            if (tile.length < tileRows * in) TILES.set(tile = new float[tileRows * in]);
            for (int t = start; t < end; t++) {
                int first = t * tileRows;
                int rows = Math.min(tileRows, outDim - first);
                for (int r = 0; r < rows; r++) kernel.dequantize(w.data(), (first + r) * rowBytes, tile, r * in, in);
                tile(tile, rows, in, x, tokens, out, outDim, first);
            }
        });
    }

    /** All tokens against one dequantized tile; token blocks outside so a block's activations stay in cache across the tile's rows. */
    private static void tile(float[] tile, int rows, int in, float[] x, int tokens, float[] out, int outDim, int first) {
        for (int t = 0; t < tokens; t += 4) {
            int n = Math.min(4, tokens - t);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                if (n == 4) {
                    fourByFour(tile, r * in, in, x, t * in, out, t * outDim + first + r, outDim);
                } else {
                    for (int k = 0; k < n; k++) fourByOne(tile, r * in, in, x, (t + k) * in, out, (t + k) * outDim + first + r);
                }
            }
            for (; r < rows; r++) {
                for (int k = 0; k < n; k++) out[(t + k) * outDim + first + r] = dot(tile, r * in, x, (t + k) * in, in);
            }
        }
    }

    /*
     * The microkernels keep every vector in local variables and fold their accumulators in place
     * (no helper takes a vector: a call C2 declines to inline would box it). A fold of a and b
     * with partner distance h leaves a's lanes summed pairwise in the lanes whose bit h is clear
     * and b's in the others; four folds turn 16 accumulators into one vector of their 16 sums, in
     * bit-reversed order, always adding in the same order.
     */
    private static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(F, i -> i ^ 8), X4 = VectorShuffle.fromOp(F, i -> i ^ 4);
    private static final VectorShuffle<Float> X2 = VectorShuffle.fromOp(F, i -> i ^ 2), X1 = VectorShuffle.fromOp(F, i -> i ^ 1);
    private static final VectorMask<Float> M8 = VectorMask.fromLong(F, 0xFF00L), M4 = VectorMask.fromLong(F, 0xF0F0L);
    private static final VectorMask<Float> M2 = VectorMask.fromLong(F, 0xCCCCL), M1 = VectorMask.fromLong(F, 0xAAAAL);
    private static final VectorShuffle<Float> BIT_REVERSED = VectorShuffle.fromOp(F, i -> Integer.reverse(i) >>> 28);
    /** Lanes 4t..4t+3: the four rows of token t. */
    private static final List<VectorMask<Float>> TOKEN_LANES = IntStream.range(0, 4).mapToObj(t -> VectorMask.fromLong(F, 0xFL << (4 * t))).toList();

    /** Rows w..w+3 (stride {@code in}) times tokens x..x+3; token t's four results to out[o + t·outDim ...]. */
    private static void fourByFour(float[] w, int w0, int in, float[] x, int x0, float[] out, int o, int outDim) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0; i < in; i += F.length()) {
            FloatVector w0v = FloatVector.fromArray(F, w, w0 + i);
            FloatVector w1v = FloatVector.fromArray(F, w, w0 + in + i);
            FloatVector w2v = FloatVector.fromArray(F, w, w0 + 2 * in + i);
            FloatVector w3v = FloatVector.fromArray(F, w, w0 + 3 * in + i);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + i);
            a00 = w0v.fma(xv, a00);
            a10 = w1v.fma(xv, a10);
            a20 = w2v.fma(xv, a20);
            a30 = w3v.fma(xv, a30);
            xv = FloatVector.fromArray(F, x, x0 + in + i);
            a01 = w0v.fma(xv, a01);
            a11 = w1v.fma(xv, a11);
            a21 = w2v.fma(xv, a21);
            a31 = w3v.fma(xv, a31);
            xv = FloatVector.fromArray(F, x, x0 + 2 * in + i);
            a02 = w0v.fma(xv, a02);
            a12 = w1v.fma(xv, a12);
            a22 = w2v.fma(xv, a22);
            a32 = w3v.fma(xv, a32);
            xv = FloatVector.fromArray(F, x, x0 + 3 * in + i);
            a03 = w0v.fma(xv, a03);
            a13 = w1v.fma(xv, a13);
            a23 = w2v.fma(xv, a23);
            a33 = w3v.fma(xv, a33);
        }
        // accumulator j = 4·token + row
        FloatVector u0 = a00.blend(a10.rearrange(X8), M8).add(a00.rearrange(X8).blend(a10, M8));
        FloatVector u1 = a20.blend(a30.rearrange(X8), M8).add(a20.rearrange(X8).blend(a30, M8));
        FloatVector u2 = a01.blend(a11.rearrange(X8), M8).add(a01.rearrange(X8).blend(a11, M8));
        FloatVector u3 = a21.blend(a31.rearrange(X8), M8).add(a21.rearrange(X8).blend(a31, M8));
        FloatVector u4 = a02.blend(a12.rearrange(X8), M8).add(a02.rearrange(X8).blend(a12, M8));
        FloatVector u5 = a22.blend(a32.rearrange(X8), M8).add(a22.rearrange(X8).blend(a32, M8));
        FloatVector u6 = a03.blend(a13.rearrange(X8), M8).add(a03.rearrange(X8).blend(a13, M8));
        FloatVector u7 = a23.blend(a33.rearrange(X8), M8).add(a23.rearrange(X8).blend(a33, M8));
        FloatVector v0 = u0.blend(u1.rearrange(X4), M4).add(u0.rearrange(X4).blend(u1, M4));
        FloatVector v1 = u2.blend(u3.rearrange(X4), M4).add(u2.rearrange(X4).blend(u3, M4));
        FloatVector v2 = u4.blend(u5.rearrange(X4), M4).add(u4.rearrange(X4).blend(u5, M4));
        FloatVector v3 = u6.blend(u7.rearrange(X4), M4).add(u6.rearrange(X4).blend(u7, M4));
        FloatVector y0 = v0.blend(v1.rearrange(X2), M2).add(v0.rearrange(X2).blend(v1, M2));
        FloatVector y1 = v2.blend(v3.rearrange(X2), M2).add(v2.rearrange(X2).blend(v3, M2));
        FloatVector sums = y0.blend(y1.rearrange(X1), M1).add(y0.rearrange(X1).blend(y1, M1)).rearrange(BIT_REVERSED);
        for (int t = 0; t < 4; t++) sums.intoArray(out, o + t * outDim - 4 * t, TOKEN_LANES.get(t));
    }

    /** Rows w..w+3 times one token; results to out[o..o+3]. */
    private static void fourByOne(float[] w, int w0, int in, float[] x, int x0, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < in; i += F.length()) {
            FloatVector xv = FloatVector.fromArray(F, x, x0 + i);
            a0 = FloatVector.fromArray(F, w, w0 + i).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, w0 + in + i).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, w0 + 2 * in + i).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, w0 + 3 * in + i).fma(xv, a3);
        }
        FloatVector u0 = a0.blend(a1.rearrange(X8), M8).add(a0.rearrange(X8).blend(a1, M8));
        FloatVector u1 = a2.blend(a3.rearrange(X8), M8).add(a2.rearrange(X8).blend(a3, M8));
        FloatVector v = u0.blend(u1.rearrange(X4), M4).add(u0.rearrange(X4).blend(u1, M4));
        v = v.add(v.rearrange(X2));
        v = v.add(v.rearrange(X1));
        // lanes 0, 8, 4, 12 hold rows 0, 1, 2, 3
        out[o] = v.lane(0);
        out[o + 1] = v.lane(8);
        out[o + 2] = v.lane(4);
        out[o + 3] = v.lane(12);
    }

    private static float dot(float[] w, int w0, float[] x, int x0, int in) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < in; i += F.length()) acc = FloatVector.fromArray(F, w, w0 + i).fma(FloatVector.fromArray(F, x, x0 + i), acc);
        return FloatSums.sum(acc);
    }
}
