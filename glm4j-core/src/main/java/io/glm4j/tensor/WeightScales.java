package io.glm4j.tensor;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The multipliers of a weight stored as small values times a scale, as FP8 checkpoints store them:
 * {@code W[r][c] = stored[r][c] · scale[r / blockRows][c / blockCols]}. One scale per output row
 * (compressed-tensors' "channel" strategy, GLM-4.5-FP8) is {@code blockRows = 1, blockCols = cols};
 * DeepSeek-style block scales are {@code 128 × 128}, the last block of a row or column possibly partial.
 *
 * @param values the scales as stored (F32, BF16 or F16), {@code ne = [column blocks, row blocks(, stack)]}
 */
public record WeightScales(Tensor values, int blockRows, int blockCols) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public WeightScales {
        if (values.type() != GgmlType.F32 && values.type() != GgmlType.BF16 && values.type() != GgmlType.F16) {
            throw new IllegalArgumentException("scales of type " + values.type());
        }
        if (blockRows < 1 || blockCols < 1) throw new IllegalArgumentException("block " + blockRows + " x " + blockCols);
    }

    /** The scale of the value at {@code (row, col)}; {@code row} counts over a whole stack. */
    public float at(long row, int col) {
        long index = row / blockRows * values.ne()[0] + col / blockCols;
        return switch (values.type()) {
            case F32 -> values.data().get(F32, 4 * index);
            case BF16 -> HalfFloats.bf16(values.data(), 2 * index);
            default -> HalfFloats.f16(values.data(), 2 * index);
        };
    }

    /** The scales of matrix {@code index} of a stacked weight. */
    WeightScales slice(int index) {
        return new WeightScales(values.slice(index), blockRows, blockCols);
    }
}
