package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K in groups of 16 rows. Per super-block column, 2368 bytes (148 a row, 144 stored): the rows'
 * fp16 d and dmin, their 6-bit scales and mins unpacked to one byte each (sub-block-major, 16 rows
 * per sub-block), then the quants in four runs of 32 bytes a row, as stored: run c holds sub-block
 * 2c in its low nibbles and 2c+1 in its high ones. Each run is cut into 16 pieces of 32 bytes, piece
 * k holding bytes 2k and 2k+1 of every row, so lane 2r+p of a piece meets the broadcast activation
 * pair of value 2k+p (low nibble) or 32+2k+p (high nibble). A sub-block's sixteen products of at
 * most 15·127 fit a short lane; its row sums, widened to ints, meet their row's 6-bit scale.
 */
final class Q4KRowGroups implements RowGroupKernel {
    static final Q4KRowGroups INSTANCE = new Q4KRowGroups();
    private static final int BLOCK_BYTES = 144, SCALES_AT = 4, QUANTS_AT = 16;
    private static final int DMIN = 2 * ROWS, SCALES = 4 * ROWS, MINS = SCALES + 8 * ROWS, QUANTS = MINS + 8 * ROWS;
    private static final int GROUP_BLOCK_BYTES = QUANTS + 128 * ROWS;
    private static final ValueLayout.OfShort LE_SHORT = HalfFloats.LE_SHORT;

    @Override
    public long groupBytes(int cols) {
        return (long) Blocks.of(cols, GgmlType.Q4_K) * GROUP_BLOCK_BYTES;
    }

    @Override
    public void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_K); b < blocks; b++) {
            long out = dstOffset + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < ROWS; r++) {
                long block = offset + r * rowBytes + (long) b * BLOCK_BYTES;
                dst.set(LE_SHORT, out + 2 * r, rows.get(LE_SHORT, block));
                dst.set(LE_SHORT, out + DMIN + 2 * r, rows.get(LE_SHORT, block + 2));
                for (int j = 0; j < 8; j++) {
                    dst.set(ValueLayout.JAVA_BYTE, out + SCALES + j * ROWS + r, (byte) KQuantScales.scale(rows, block + SCALES_AT, j));
                    dst.set(ValueLayout.JAVA_BYTE, out + MINS + j * ROWS + r, (byte) KQuantScales.min(rows, block + SCALES_AT, j));
                }
                for (int c = 0; c < 4; c++) {
                    for (int k = 0; k < 16; k++) {
                        dst.set(LE_SHORT, out + QUANTS + c * 32 * ROWS + k * 32 + 2 * r, rows.get(LE_SHORT, block + QUANTS_AT + 32 * c + 2 * k));
                    }
                }
            }
        }
    }

    @Override
    public void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int xp = (xOffset >> 1) + b * 128;
            IntVector scaled = IntVector.zero(Int8Lanes.I);
            for (int c = 0; c < 4; c++) {
                ShortVector low = ShortVector.zero(Int8Lanes.S), high = low;
                for (int k = 0; k < 16; k++) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, base + QUANTS + c * 32 * ROWS + k * 32, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Lanes.S, 0);
                    low = low.add(q.and((short) 0xF).mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + 32 * c + k]).reinterpretAsShorts()));
                    high = high.add(q.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + 32 * c + 16 + k]).reinterpretAsShorts()));
                }
                // lanes 2r and 2r+1 into int lane r (their sum can exceed a short), times row r's scale
                IntVector w = low.reinterpretAsInts();
                IntVector rowSums = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16));
                scaled = scaled.add(rowSums.mul((IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, groups, base + SCALES + 2 * c * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Int8Lanes.I, 0)));
                w = high.reinterpretAsInts();
                rowSums = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16));
                scaled = scaled.add(rowSums.mul((IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, groups, base + SCALES + (2 * c + 1) * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Int8Lanes.I, 0)));
            }
            // Σ_j min_rj · (sum of the activation quants of sub-block j)
            int xs = (xOffset >> 4) + b * 16;
            IntVector mins = IntVector.zero(Int8Lanes.I);
            for (int j = 0; j < 8; j++) {
                mins = mins.add(((IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, groups, base + MINS + j * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Int8Lanes.I, 0)).mul(sums[xs + 2 * j] + sums[xs + 2 * j + 1]));
            }
            float dx = xd[(xOffset >> 8) + b];
            // the rows' fp16 d and dmin widened in the lanes (see Q4_0RowGroups), inline so nothing is boxed
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Int8Lanes.S256, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            FloatVector d = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats();
            h = (IntVector) ShortVector.fromMemorySegment(Int8Lanes.S256, groups, base + DMIN, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            FloatVector dmin = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats();
            acc = ((FloatVector) scaled.convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.broadcast(Int8Lanes.F, dx), acc);
            acc = ((FloatVector) mins.convert(VectorOperators.I2F, 0)).mul(dmin).fma(FloatVector.broadcast(Int8Lanes.F, -dx), acc);
        }
        acc.intoArray(out, outOffset);
    }
}
