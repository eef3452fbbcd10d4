package io.glm4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a float vector's lanes in one fixed order (pairwise, halving), whatever compiles the
 * code. {@code reduceLanes(ADD)} leaves the order open and does differ between the interpreter and
 * the JIT; that last-bit difference is enough to move an activation across an int8 rounding
 * boundary, so results would depend on warm-up. The shuffles are constants so that C2 turns each
 * step into one permute.
 */
final class FloatSums {
    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_512;
    private static final VectorShuffle<Float> XOR8 = VectorShuffle.fromOp(WIDE, i -> i ^ 8);
    private static final VectorShuffle<Float> XOR4 = VectorShuffle.fromOp(WIDE, i -> i ^ 4);
    private static final VectorShuffle<Float> XOR2 = VectorShuffle.fromOp(WIDE, i -> i ^ 2);
    private static final VectorShuffle<Float> XOR1 = VectorShuffle.fromOp(WIDE, i -> i ^ 1);

    /** Lanes of the widest vectors: the size of the scratch {@link #sum(FloatVector, float[])} needs. */
    static final int LANES = WIDE.length();

    private FloatSums() {}

    /**
     * The same sum of {@link #LANES} values a kernel stored with {@code intoArray}: for kernels whose
     * compiled form is so large that C2 may stop inlining before {@link #sum(FloatVector)}, which
     * would then box its argument on every call. Overwrites {@code lanes}.
     */
    static float sum(float[] lanes) {
        for (int step = LANES / 2; step >= 1; step /= 2) {
            for (int i = 0; i < step; i++) lanes[i] += lanes[i + step];
        }
        return lanes[0];
    }

    static float sum(FloatVector v) {
        if (v.species() == WIDE) {
            v = v.add(v.rearrange(XOR8));
            v = v.add(v.rearrange(XOR4));
            v = v.add(v.rearrange(XOR2));
            return v.add(v.rearrange(XOR1)).lane(0);
        }
        float[] lanes = v.toArray();
        return pairwise(lanes, 0, lanes.length);
    }

    /** Halves first, for the narrower shapes of machines without 512-bit vectors. */
    private static float pairwise(float[] lanes, int from, int n) {
        if (n == 1) return lanes[from];
        return pairwise(lanes, from, n / 2) + pairwise(lanes, from + n / 2, n / 2);
    }
}
