package io.glm4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a float vector's lanes in one fixed order (pairwise, halving), whatever compiles the
 * code. {@code reduceLanes(ADD)} leaves the order open and does differ between the interpreter and
 * the JIT; that last-bit difference is enough to move an activation across an int8 rounding
 * boundary, so results would depend on warm-up. The kernels use the 512-bit and the preferred shape.
 */
final class FloatSums {
    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;
    private static final VectorShuffle<Float>[] WIDE_PARTNERS = partners(WIDE);
    private static final VectorShuffle<Float>[] PREFERRED_PARTNERS = partners(PREFERRED);

    private FloatSums() {}

    static float sum(FloatVector v) {
        VectorShuffle<Float>[] partners = v.species() == WIDE ? WIDE_PARTNERS : v.species() == PREFERRED ? PREFERRED_PARTNERS : partners(v.species());
        for (VectorShuffle<Float> p : partners) v = v.add(v.rearrange(p));
        return v.lane(0);
    }

    /** Lane i meets lane i xor step, for step = lanes/2, lanes/4, …, 1. */
    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] partners(VectorSpecies<Float> species) {
        int steps = Integer.numberOfTrailingZeros(species.length());
        VectorShuffle<Float>[] shuffles = new VectorShuffle[steps];
        for (int s = 0; s < steps; s++) {
            int step = species.length() >> (s + 1);
            shuffles[s] = VectorShuffle.fromOp(species, i -> i ^ step);
        }
        return shuffles;
    }
}
