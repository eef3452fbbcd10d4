package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The int8 dot products (llama.cpp's {@code vec_dot} against Q8_0 / Q8_1 / Q8_K activations)
 * against the float64 dot of gguf-py's dequantized weights ({@link ReferenceBlocks}) with the
 * dequantized activations.
 */
class QuantizedDotTest {
    private static final int LEAD = 5;

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q6_K"})
    void everyActivationRowOfABatchMeetsTheRowAsTheDequantizedValuesDo(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        QuantizedDot kernel = (QuantizedDot) RowKernel.of(type);
        ActivationFormat format = ActivationFormat.of(type);
        int blocks = Math.min(ref.blocks(), 4096 / type.blockSize);
        int count = blocks * type.blockSize;
        int rows = 3;
        Random random = new Random(type.ordinal());
        float[] x = new float[rows * count];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian() * (i % 97 == 0 ? 8 : 1);
        QuantizedActivations a = new QuantizedActivations();
        a.quantize(format, x, rows, count, kernel.laneOrder());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = ref.placeIn(arena, LEAD);
            for (int r = 0; r < rows; r++) {
                double expected = 0, magnitude = 0;
                for (int i = 0; i < count; i++) {
                    double term = (double) ref.values()[i] * a.values()[r * count + i];
                    expected += term;
                    magnitude += Math.abs(term);
                }
                if (type == GgmlType.Q4_1 || type == GgmlType.Q5_1) expected += q8_1OffsetCorrection(ref, a, r * count, blocks);

                float dot = kernel.dot(data, LEAD, a, r * count, count);

                assertThat((double) dot).as("%s row %d", type, r).isCloseTo(expected, offset(1e-5 * magnitude));
            }
        }
    }

    /**
     * Q4_1 / Q5_1 against Q8_1 take the offset m times llama.cpp's float16 {@code s = d·Σq}, not
     * times the sum of the dequantized activations: the difference, block by block.
     */
    private static double q8_1OffsetCorrection(ReferenceBlocks ref, QuantizedActivations a, int xOffset, int blocks) {
        double correction = 0;
        for (int b = 0; b < blocks; b++) {
            int lo = ref.raw()[b * ref.type().blockBytes + 2] & 0xFF, hi = ref.raw()[b * ref.type().blockBytes + 3] & 0xFF;
            float m = Float.float16ToFloat((short) (lo | hi << 8));
            double sum = 0;
            for (int i = 0; i < 32; i++) sum += a.values()[xOffset + b * 32 + i];
            correction += m * (a.offsetSums()[xOffset / 32 + b] - sum);
        }
        return correction;
    }
}
