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
    /** The partner lanes of the four halving steps; kernels too large to rely on inlining use them in place. */
    static final VectorShuffle<Float> XOR8 = VectorShuffle.fromOp(WIDE, i -> i ^ 8);
    static final VectorShuffle<Float> XOR4 = VectorShuffle.fromOp(WIDE, i -> i ^ 4);
    static final VectorShuffle<Float> XOR2 = VectorShuffle.fromOp(WIDE, i -> i ^ 2);
    static final VectorShuffle<Float> XOR1 = VectorShuffle.fromOp(WIDE, i -> i ^ 1);

    /** The same steps for AVX2's 8 lanes: taking the lanes out to an array cost more than a Q6_K row's dot product. */
    private static final VectorSpecies<Float> NARROW = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> NARROW_XOR4 = VectorShuffle.fromOp(NARROW, i -> i ^ 4);
    private static final VectorShuffle<Float> NARROW_XOR2 = VectorShuffle.fromOp(NARROW, i -> i ^ 2);
    private static final VectorShuffle<Float> NARROW_XOR1 = VectorShuffle.fromOp(NARROW, i -> i ^ 1);

    private FloatSums() {}

    static float sum(FloatVector v) {
        if (v.species() == WIDE) {
            v = v.add(v.rearrange(XOR8));
            v = v.add(v.rearrange(XOR4));
            v = v.add(v.rearrange(XOR2));
            return v.add(v.rearrange(XOR1)).lane(0);
        }
        if (v.species() == NARROW) {
            v = v.add(v.rearrange(NARROW_XOR4));
            v = v.add(v.rearrange(NARROW_XOR2));
            return v.add(v.rearrange(NARROW_XOR1)).lane(0);
        }
        float[] lanes = v.toArray();
        return pairwise(lanes, 0, lanes.length);
    }

    /** Halves first, for the shapes of machines with neither 512- nor 256-bit vectors. */
    private static float pairwise(float[] lanes, int from, int n) {
        if (n == 1) return lanes[from];
        return pairwise(lanes, from, n / 2) + pairwise(lanes, from + n / 2, n / 2);
    }
}
