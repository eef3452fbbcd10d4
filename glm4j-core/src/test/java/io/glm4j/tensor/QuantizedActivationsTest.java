package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Activation rounding against llama.cpp's {@code quantize_row_q8_0} and {@code quantize_row_q8_K}
 * written out plainly here, value by value, on blocks with exact halves (where round-half-even
 * matters), zero blocks, ties of magnitude and large batches shared out over a pool.
 */
class QuantizedActivationsTest {
    private static final int COLS = 4096;

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q8_K"})
    void roundingMatchesLlamaCppBlockForBlock(ActivationFormat format) {
        for (int rows : new int[] {1, 3, 17}) {
            float[] x = activations(rows, format.ordinal());
            for (WorkerPool pool : new WorkerPool[] {null, new WorkerPool(2)}) {
                QuantizedActivations a = new QuantizedActivations();
                a.quantize(pool, format, x, rows, COLS, null);
                for (int b = 0; b < rows * COLS / format.blockSize; b++) {
                    if (format == ActivationFormat.Q8_0) assertQ8_0Block(x, b, a);
                    else assertQ8_KBlock(x, b, a);
                }
                if (pool != null) pool.close();
            }
        }
    }

    @Test
    void aKernelsLaneOrderPermutesTheQuantsOnly() {
        int[] order = new int[32];
        for (int i = 0; i < 32; i++) order[i] = (i * 7 + 3) % 32;
        float[] x = activations(17, 3);
        QuantizedActivations natural = new QuantizedActivations(), ordered = new QuantizedActivations();
        natural.quantize(ActivationFormat.Q8_0, x, 17, COLS, null);
        try (WorkerPool pool = new WorkerPool(2)) {
            ordered.quantize(pool, ActivationFormat.Q8_0, x, 17, COLS, order);
        }
        for (int i = 0; i < 17 * COLS; i++) {
            int block = i / 32 * 32;
            assertThat(ordered.quants()[block + order[i % 32]]).isEqualTo(natural.quants()[i]);
        }
        assertThat(ordered.pairs()).startsWith(natural.pairs());
        assertThat(ordered.values()).startsWith(natural.values());
    }

    @Test
    void aBlockWithANaNIsRoundedWithoutRunningOffItsEnd() {
        float[] x = activations(1, 4);
        x[300] = Float.NaN; // in the second block of 256
        for (ActivationFormat format : new ActivationFormat[] {ActivationFormat.Q8_0, ActivationFormat.Q8_K}) {
            QuantizedActivations a = new QuantizedActivations();
            a.quantize(format, x, 1, COLS, null);
            assertThat(a.scales()[COLS / format.blockSize - 1]).as("%s: the last block is still rounded", format).isGreaterThan(0);
        }
    }

    /** Gaussian values, with blocks of exact halves (amax 127: x·127/amax = x), of zeros and of tied magnitudes. */
    private static float[] activations(int rows, long seed) {
        Random random = new Random(seed);
        float[] x = new float[rows * COLS];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian() * (i % 89 == 0 ? 10 : 1);
        for (int i = 0; i < 256; i++) x[i] = i == 5 ? -127f : (i % 31 - 15) + 0.5f; // Q8_K: max −127 gives iscale 1
        for (int i = 256; i < 512; i++) x[i] = 0;
        for (int i = 512; i < 768; i++) x[i] = (i % 3 == 0 ? 2f : -2f) * (i % 5 == 0 ? 1 : 0.25f); // +2 and −2 tie: the first wins
        return x;
    }

    private static void assertQ8_0Block(float[] x, int b, QuantizedActivations a) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[32 * b + i]));
        float id = amax != 0 ? 127f / amax : 0f;
        float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        assertThat(a.scales()[b]).as("scale of block %d", b).isEqualTo(d);
        int sum = 0;
        for (int i = 0; i < 32; i++) {
            short q = (short) Math.rint(x[32 * b + i] * id);
            sum += q;
            assertQuant(a, 32 * b + i, q, d);
        }
        assertThat(a.offsetSums()[b]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(amax / 127f * sum)));
        for (int j = 0; j < 16; j++) { // quant 16+j minus 16 × quant j, wrapped to a short
            int low = 32 * b + j, pair = a.nibblePairs()[8 * b + j / 2];
            assertThat((short) (pair >> 16 * (j & 1))).as("nibble pair half %d", low).isEqualTo((short) (a.quants()[low + 16] - 16 * a.quants()[low]));
        }
    }

    private static void assertQ8_KBlock(float[] x, int b, QuantizedActivations a) {
        float amax = 0, max = 0;
        for (int i = 0; i < 256; i++) {
            float ax = Math.abs(x[256 * b + i]);
            if (ax > amax) {
                amax = ax;
                max = x[256 * b + i];
            }
        }
        float iscale = amax != 0 ? -127f / max : 0;
        float d = amax != 0 ? 1 / iscale : 0;
        assertThat(a.scales()[b]).as("scale of block %d", b).isEqualTo(d);
        for (int i = 0; i < 256; i++) assertQuant(a, 256 * b + i, (short) Math.min(127, (int) Math.rint(iscale * x[256 * b + i])), d);
    }

    private static void assertQuant(QuantizedActivations a, int i, short q, float d) {
        assertThat(a.quants()[i]).as("quant %d", i).isEqualTo(q);
        assertThat(a.values()[i]).as("value %d", i).isEqualTo(d * q);
        assertThat((short) (a.pairs()[i >> 1] >> 16 * (i & 1))).as("pair half %d", i).isEqualTo(q);
        if (i % 16 == 15) {
            int sum = 0;
            for (int k = i - 15; k <= i; k++) sum += a.quants()[k];
            assertThat(a.sums16()[i >> 4]).as("sum of 16 ending at %d", i).isEqualTo(sum);
        }
    }
}
