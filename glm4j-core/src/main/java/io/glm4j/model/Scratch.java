package io.glm4j.model;

/**
 * Float (and a few int) buffers a forward pass reuses from one call to the next on the same thread, so a decode
 * step allocates no activations. Each numbered slot keeps its last array and hands it back when
 * the same length is asked for again; the contents are stale, so callers overwrite or clear them.
 * Lengths over {@link #KEEP_MAX} floats (a long prompt's batch) get a fresh array that is not kept,
 * so the heap holds no prompt-sized buffers between requests.
 */
final class Scratch {
    static final int KEEP_MAX = 1 << 20;
    private final float[][] kept;
    private final int[][] keptInts;

    private Scratch(int slots) {
        this.kept = new float[slots][];
        this.keptInts = new int[slots][];
    }

    /** Buffers of {@code slots} slots, one set for each thread that asks. */
    static ThreadLocal<Scratch> perThread(int slots) {
        return ThreadLocal.withInitial(() -> new Scratch(slots));
    }

    /** Slot {@code slot}'s array of exactly {@code length} floats, stale contents and all. */
    float[] floats(int slot, int length) {
        float[] buffer = kept[slot];
        if (buffer != null && buffer.length == length) return buffer;
        buffer = new float[length];
        if (length <= KEEP_MAX) kept[slot] = buffer;
        return buffer;
    }

    /** Slot {@code slot}'s int array of exactly {@code length} ints, as {@link #floats} (int slots are numbered apart). */
    int[] ints(int slot, int length) {
        int[] buffer = keptInts[slot];
        if (buffer != null && buffer.length == length) return buffer;
        buffer = new int[length];
        if (length <= KEEP_MAX) keptInts[slot] = buffer;
        return buffer;
    }
}
