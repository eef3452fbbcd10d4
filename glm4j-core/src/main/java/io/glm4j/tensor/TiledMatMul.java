package io.glm4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight × activations for batches of several tokens (prefill, experts with several tokens):
 * tiles of weight rows are dequantized once into a float buffer of the worker thread and then
 * multiplied with every token, four rows by four tokens at a time so that each vector load feeds
 * four fused multiply-adds. Each stored weight is read and decoded once per batch, not once per token.
 */
final class TiledMatMul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
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
        int t = 0;
        for (; t + 4 <= tokens; t += 4) {
            int r = 0;
            for (; r + 4 <= rows; r += 4) fourByFour(tile, r * in, in, x, t * in, out, t * outDim + first + r, outDim);
            for (; r < rows; r++) {
                for (int k = 0; k < 4; k++) out[(t + k) * outDim + first + r] = dot(tile, r * in, x, (t + k) * in, in);
            }
        }
        for (; t < tokens; t++) {
            for (int r = 0; r < rows; r++) out[t * outDim + first + r] = dot(tile, r * in, x, t * in, in);
        }
    }

    /** Rows w..w+3 (stride {@code in}) times tokens x..x+3; results to out[o + token·outDim + row]. */
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
        out[o] = FloatSums.sum(a00);
        out[o + 1] = FloatSums.sum(a10);
        out[o + 2] = FloatSums.sum(a20);
        out[o + 3] = FloatSums.sum(a30);
        out[o + outDim] = FloatSums.sum(a01);
        out[o + outDim + 1] = FloatSums.sum(a11);
        out[o + outDim + 2] = FloatSums.sum(a21);
        out[o + outDim + 3] = FloatSums.sum(a31);
        out[o + 2 * outDim] = FloatSums.sum(a02);
        out[o + 2 * outDim + 1] = FloatSums.sum(a12);
        out[o + 2 * outDim + 2] = FloatSums.sum(a22);
        out[o + 2 * outDim + 3] = FloatSums.sum(a32);
        out[o + 3 * outDim] = FloatSums.sum(a03);
        out[o + 3 * outDim + 1] = FloatSums.sum(a13);
        out[o + 3 * outDim + 2] = FloatSums.sum(a23);
        out[o + 3 * outDim + 3] = FloatSums.sum(a33);
    }

    private static float dot(float[] w, int w0, float[] x, int x0, int in) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < in; i += F.length()) acc = FloatVector.fromArray(F, w, w0 + i).fma(FloatVector.fromArray(F, x, x0 + i), acc);
        return FloatSums.sum(acc);
    }
}
