package io.glm4j.tensor;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes of the row-group kernels ({@link RowGroupKernel}), sized to the machine: a
 * group holds as many rows as a native vector has int lanes (16 with AVX-512, 8 with AVX2), so
 * that a vector of shorts holds two values of each row (lane 2r+p) and a vector of ints or floats
 * one sum of each. A shape the machine lacks would run in Java code, tens of times slower.
 */
final class GroupLanes {
    /** The machine's vector size, unless the property {@code glm4j.groupBits} sets another (to test one shape's kernels on a machine of the other). */
    private static final int BITS = Integer.getInteger("glm4j.groupBits", Math.min(512, VectorShape.preferredShape().vectorBitSize()));

    /** Whether the machine has vectors of at least 256 bits; elsewhere no matrix is repacked. */
    static final boolean AVAILABLE = BITS >= 256;
    /** Rows per group: one per int lane of a native vector (8 where vectors are narrower: nothing is repacked there, and MatMul still shares work out in runs of this many rows). */
    static final int ROWS = Math.max(8, BITS / 32);

    /** One lane a row: row sums, scales and results. */
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, shape(BITS));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, shape(BITS));
    /** Two lanes a row: a pair of values of each row, lane 2r+p. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, shape(BITS));
    /** A row's fp16 scale each, widened into {@link #I}. */
    static final VectorSpecies<Short> ROW_SHORTS = VectorSpecies.of(short.class, shape(BITS / 2));
    /** Two bytes a row, widened into {@link #S}. */
    static final VectorSpecies<Byte> PAIR_BYTES = VectorSpecies.of(byte.class, shape(BITS / 2));
    /** A byte an int lane, widened into {@link #I}: a row's scale, or half a run of pairs (rows below or from ROWS/2). */
    static final VectorSpecies<Byte> ROW_BYTES = VectorSpecies.of(byte.class, shape(BITS / 4));

    private GroupLanes() {}

    private static VectorShape shape(int bits) {
        return VectorShape.forBitSize(Math.max(64, Math.min(512, bits)));
    }
}
