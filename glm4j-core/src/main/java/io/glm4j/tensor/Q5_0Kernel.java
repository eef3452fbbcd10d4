package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_0 blocks of 32 values: fp16 scale d, a little-endian 32-bit word qh whose bit i is the fifth
 * bit of value i, then 16 bytes of low 4 bits laid out as in Q4_0; value = d·(q − 16).
 */
final class Q5_0Kernel implements RowKernel, QuantizedDot {
    static final Q5_0Kernel INSTANCE = new Q5_0Kernel();
    private static final GgmlType TYPE = GgmlType.Q5_0;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int QH = 2, QS = 6;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        if (!Int8Lanes.AVAILABLE) { // the lanes below would be Java code (see Int8Lanes.AVAILABLE)
            dequantizeScalar(data, offset, dst, dstOffset, count);
            return;
        }
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            int qh = data.get(LE_INT, block + QH);
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, Int8Lanes.S256, 0);
            ShortVector lo = q.and((short) 0xF).lanewise(VectorOperators.OR, (short) 16, fifthBits(qh)).sub((short) 16);
            ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).lanewise(VectorOperators.OR, (short) 16, fifthBits(qh >>> 16)).sub((short) 16);
            int out = dstOffset + b * 32;
            ((FloatVector) lo.convertShape(VectorOperators.S2F, Int8Lanes.F, 0)).mul(d).intoArray(dst, out);
            ((FloatVector) hi.convertShape(VectorOperators.S2F, Int8Lanes.F, 0)).mul(d).intoArray(dst, out + 16);
        }
    }

    /** One value at a time, as the lanes above compute it: (nibble + 16·fifth bit − 16)·d. */
    private static void dequantizeScalar(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            int qh = data.get(LE_INT, block + QH);
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, block + QS + j) & 0xFF;
                dst[dstOffset + b * 32 + j] = ((q & 0xF | (qh >>> j & 1) << 4) - 16) * d;
                dst[dstOffset + b * 32 + 16 + j] = ((q >> 4 | (qh >>> (j + 16) & 1) << 4) - 16) * d;
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(QuantLanes.FLOATS);
        FloatVector zero = FloatVector.zero(QuantLanes.FLOATS);
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            FloatVector d = FloatVector.broadcast(QuantLanes.FLOATS, HalfFloats.f16(data, block));
            ByteVector qh = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QH, ByteOrder.LITTLE_ENDIAN);
            int in = xOffset + b * 32;
            for (int i = 0; i < 16; i += QuantLanes.BYTES.length()) {
                ByteVector q = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + i, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0xF).or(QuantLanes.bits(qh, i).lanewise(VectorOperators.LSHL, 4));
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).or(QuantLanes.bits(qh, i + 16).lanewise(VectorOperators.LSHL, 4));
                acc = QuantLanes.fma(lo.sub((byte) 16), d, zero, x, in + i, acc);
                acc = QuantLanes.fma(hi.sub((byte) 16), d, zero, x, in + i + 16, acc);
            }
        }
        return FloatSums.sum(acc);
    }

    /** Q5_0 · Q8_0: as Q4_0 (see there), with each quant's fifth bit taken from qh; offset −16. */
    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums16();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        float offsets = 0;
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            int qh = data.get(LE_INT, block + QH);
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, Int8Lanes.S256, 0);
            ShortVector lo = q.and((short) 0xF).lanewise(VectorOperators.OR, (short) 16, fifthBits(qh));
            ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).lanewise(VectorOperators.OR, (short) 16, fifthBits(qh >>> 16));
            int xb = xOffset + b * 32;
            ShortVector products = lo.mul(ShortVector.fromArray(Int8Lanes.S256, xq, xb))
                    .add(hi.mul(ShortVector.fromArray(Int8Lanes.S256, xq, xb + 16)));
            float scale = HalfFloats.f16(data, block) * xd[xb >> 5];
            IntVector sums = (IntVector) products.convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, Int8Lanes.F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale), acc);
            offsets += scale * (xs[xb >> 4] + xs[(xb >> 4) + 1]);
        }
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0) - 16 * offsets;
    }

    /** Lane i of 16 is set where bit i of {@code bits} is: one mask register, no vector work. */
    private static VectorMask<Short> fifthBits(int bits) {
        return VectorMask.fromLong(Int8Lanes.S256, bits & 0xFFFF);
    }

    @Override
    public int tiledFromTokens() {
        return 3;
    }
}
