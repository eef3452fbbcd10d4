package io.glm4j.model;

/**
 * Keys and values of past positions, per layer and per sequence, addressed by position.
 * Element storage (F32, F16, Q8_0…) is the implementation's business: attention reads one KV
 * head's key or value at a time as float32.
 */
public interface KvCache {

    /** Positions each sequence can hold. */
    int capacity();

    /** Number of filled positions of {@code seq} (its next position). */
    int length(int seq);

    /** Stores the K and V rows (all KV heads) of {@code seq} at {@code pos} in {@code layer}. */
    void write(int layer, int seq, int pos, float[] k, int kOff, float[] v, int vOff);

    /** Marks {@code pos} as filled once every layer has been written. */
    void commit(int seq, int pos);

    /**
     * Copies the key of one KV head at {@code pos} into {@code dst} as float32, its value {@code d}
     * (of headDim) at {@code dstOff + d·stride}: attention reads each key once for all the query
     * rows that share it, keys side by side as columns.
     */
    void readKey(int layer, int seq, int pos, int head, float[] dst, int dstOff, int stride);

    /** Copies the value of one KV head at {@code pos} into {@code dst} as float32 (headDim values). */
    void readValue(int layer, int seq, int pos, int head, float[] dst, int dstOff);

    /** Forgets positions {@code >= pos} of {@code seq} (rollback, prefix reuse). */
    void truncate(int seq, int pos);
}
