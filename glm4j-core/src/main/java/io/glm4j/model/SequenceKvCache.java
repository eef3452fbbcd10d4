package io.glm4j.model;

import io.glm4j.Glm4jException;

/**
 * The KV cache: for each sequence and layer, one K and one V {@link RowStore} of
 * {@code capacity} positions, allocated when the sequence is first written.
 */
public final class SequenceKvCache implements KvCache {
    private final KvCacheType type;
    private final int layers;
    private final int capacity;
    private final int headDim;
    private final int width;
    private final RowStore[][] keys; // [seq][layer]
    private final RowStore[][] values;
    private final int[] lengths;

    public SequenceKvCache(KvCacheType type, int layers, int kvHeads, int headDim, int capacity, int maxSequences) {
        if (capacity < 1) throw new Glm4jException("context size must be at least 1, got " + capacity);
        this.type = type;
        this.layers = layers;
        this.capacity = capacity;
        this.headDim = headDim;
        this.width = kvHeads * headDim;
        this.keys = new RowStore[maxSequences][];
        this.values = new RowStore[maxSequences][];
        this.lengths = new int[maxSequences];
        type.newStore(0, width, headDim); // validates the type against the head size up front
    }

    public KvCacheType type() {
        return type;
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
        if (seq < 0 || seq >= lengths.length) throw new IllegalArgumentException("sequence " + seq + " outside 0.." + (lengths.length - 1));
        return seq;
    }

    @Override
    public void write(int layer, int seq, int pos, float[] k, int kOff, float[] v, int vOff) {
        if (pos < 0 || pos >= capacity) throw new Glm4jException("position " + pos + " is outside the context of " + capacity + " tokens");
        if (keys[checkSeq(seq)] == null) {
            keys[seq] = new RowStore[layers];
            values[seq] = new RowStore[layers];
            for (int l = 0; l < layers; l++) {
                keys[seq][l] = type.newStore(capacity, width, headDim);
                values[seq][l] = type.newStore(capacity, width, headDim);
            }
        }
        keys[seq][layer].put(pos, k, kOff);
        values[seq][layer].put(pos, v, vOff);
    }

    @Override
    public void commit(int seq, int pos) {
        lengths[checkSeq(seq)] = Math.max(lengths[seq], pos + 1);
    }

    @Override
    public void readKey(int layer, int seq, int pos, int head, float[] dst, int dstOff, int stride) {
        keys[seq][layer].read(pos, head * headDim, dst, dstOff, headDim, stride);
    }

    @Override
    public void readValue(int layer, int seq, int pos, int head, float[] dst, int dstOff) {
        values[seq][layer].read(pos, head * headDim, dst, dstOff, headDim, 1);
    }

    @Override
    public void truncate(int seq, int pos) {
        lengths[checkSeq(seq)] = Math.min(lengths[seq], Math.max(0, pos));
    }
}
