package io.glm4j.model;

import io.glm4j.Glm4jException;

/** A float32 KV cache. Rows for a sequence are allocated on its first use. */
public final class F32KvCache implements KvCache {
    private final int layers;
    private final int capacity;
    private final int headDim;
    private final int width;
    private final int maxSequences;
    private final float[][][] keys; // [seq][layer][pos * width + head * headDim + d]
    private final float[][][] values;
    private final int[] lengths;

    public F32KvCache(int layers, int kvHeads, int headDim, int capacity, int maxSequences) {
        if (capacity < 1) throw new Glm4jException("context size must be at least 1, got " + capacity);
        this.layers = layers;
        this.capacity = capacity;
        this.headDim = headDim;
        this.width = kvHeads * headDim;
        this.maxSequences = maxSequences;
        this.keys = new float[maxSequences][][];
        this.values = new float[maxSequences][][];
        this.lengths = new int[maxSequences];
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int length(int seq) {
        return lengths[checkSeq(seq)];
    }

    private int checkSeq(int seq) {
        if (seq < 0 || seq >= maxSequences) throw new IllegalArgumentException("sequence " + seq + " outside 0.." + (maxSequences - 1));
        return seq;
    }

    @Override
    public void write(int layer, int seq, int pos, float[] k, int kOff, float[] v, int vOff) {
        if (pos < 0 || pos >= capacity) {
            throw new Glm4jException("position " + pos + " is outside the context of " + capacity + " tokens");
        }
        if (keys[checkSeq(seq)] == null) {
            keys[seq] = new float[layers][capacity * width];
            values[seq] = new float[layers][capacity * width];
        }
        System.arraycopy(k, kOff, keys[seq][layer], pos * width, width);
        System.arraycopy(v, vOff, values[seq][layer], pos * width, width);
    }

    @Override
    public void commit(int seq, int pos) {
        lengths[checkSeq(seq)] = Math.max(lengths[seq], pos + 1);
    }

    @Override
    public float dotKey(int layer, int seq, int pos, int head, float[] q, int qOff) {
        float[] k = keys[seq][layer];
        int base = pos * width + head * headDim;
        float sum = 0;
        for (int d = 0; d < headDim; d++) sum += q[qOff + d] * k[base + d];
        return sum;
    }

    @Override
    public void addValue(int layer, int seq, int pos, int head, float weight, float[] out, int outOff) {
        float[] v = values[seq][layer];
        int base = pos * width + head * headDim;
        for (int d = 0; d < headDim; d++) out[outOff + d] += weight * v[base + d];
    }

    @Override
    public void truncate(int seq, int pos) {
        lengths[checkSeq(seq)] = Math.min(lengths[seq], Math.max(0, pos));
    }
}
