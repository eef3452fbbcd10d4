package io.glm4j.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes of the int8 dot products ({@link QuantizedDot}) and their shared step. The
 * Vector API has no byte multiply-add (x86's pmaddubsw / vpdpbusd), so quants are widened to shorts,
 * multiplied lane by lane (int8 × at most 6-bit products of two rows fit in 16 bits), and sums of
 * one scale group are widened to ints before they meet their scale. 512-bit shapes: the kernels are
 * used only where the machine has them ({@link #AVAILABLE}).
 */
final class Int8Lanes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;

    /**
     * Whether 512-bit vectors are native here; elsewhere the float kernels with rounded activations
     * serve, and the row kernels dequantize one value at a time: 512-bit vectors would run as Java
     * code, slowly, and their classes would join the type profiles that Vector API bodies shared by
     * every shape keep, which makes C2 compile other kernels' vector code as Java calls too. The
     * property {@code glm4j.int8Lanes} overrides it, so that tests run both paths anywhere.
     */
    static final boolean AVAILABLE = Boolean.parseBoolean(
            System.getProperty("glm4j.int8Lanes", String.valueOf(IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512)));

    private Int8Lanes() {}

    /**
     * Adds each pair of neighbouring shorts into one int (x86's pmaddwd with ones): 32 shorts → 16
     * ints. Shifting the low short up onto the high one adds the pair in the top half, which is then
     * shifted down with its sign: three instructions instead of sign-extending both halves. The pair
     * sum must fit in a short, which holds for every kernel's products (at most 2 · 2 · 63 · 127).
     */
    static IntVector pairSums(ShortVector v) {
        IntVector w = (IntVector) v.reinterpretShape(I, 0);
        return w.add(w.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }
}
