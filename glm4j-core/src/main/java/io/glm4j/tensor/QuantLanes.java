package io.glm4j.tensor;

import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the quantized dot products work in, and their one inner step: widen a vector
 * of small integer quants to floats, scale them into weights and multiply-add them with activations.
 * Quants are decoded {@link #BYTES}{@code .length()} at a time (8 or 16, which divides every
 * group of values that shares a scale); the floats take one or two vectors of {@link #FLOATS}.
 */
final class QuantLanes {
    /** The preferred float shape, capped at 16 lanes so a byte vector of quants fills whole float vectors. */
    static final VectorSpecies<Float> FLOATS =
            FloatVector.SPECIES_PREFERRED.length() > 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;

    /** As many byte lanes as float lanes, but never under the smallest (64-bit) vector shape. */
    static final VectorSpecies<Byte> BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, FLOATS.length() * 8)));

    private static final int PARTS = BYTES.length() / FLOATS.length();

    /** Shuffle k gives lane i the byte k + i/8, the byte that holds bit 8k + i. */
    private static final List<VectorShuffle<Byte>> BYTE_OF = IntStream.range(0, 4)
            .mapToObj(k -> VectorShuffle.fromOp(BYTES, i -> k + i / 8)).toList();
    /** Lane i holds i mod 8, the position of bit 8k + i inside its byte. */
    private static final ByteVector BIT_IN_BYTE = ByteVector.zero(BYTES).addIndex(1).and((byte) 7);

    private QuantLanes() {}

    /**
     * Lane i = bit {@code first + i} (0 or 1) of a little-endian 32-bit string held in the first four
     * lanes of {@code packed}; {@code first} is a multiple of 8.
     */
    static ByteVector bits(ByteVector packed, int first) {
        return packed.rearrange(BYTE_OF.get(first / 8)).lanewise(VectorOperators.LSHR, BIT_IN_BYTE).and((byte) 1);
    }

    /**
     * {@code acc + Σ (q[i]·scale + bias)·x[xOffset+i]} over the lanes of {@code q} (signed bytes).
     * The weight {@code q·scale + bias} is rounded once, as the reference dequantization rounds it.
     */
    static FloatVector fma(ByteVector q, FloatVector scale, FloatVector bias, float[] x, int xOffset, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            FloatVector w = ((FloatVector) q.convertShape(VectorOperators.B2F, FLOATS, p)).fma(scale, bias);
            acc = w.fma(FloatVector.fromArray(FLOATS, x, xOffset + p * FLOATS.length()), acc);
        }
        return acc;
    }
}
