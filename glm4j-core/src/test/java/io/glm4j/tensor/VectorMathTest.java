package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorMathTest {

    @Test
    void siluMultiplyMatchesTheDefinitionAtEveryLength() {
        Random random = new Random(5);
        for (int n : new int[] {1, 7, 16, 33, 1408}) {
            float[] gate = new float[n], up = new float[n];
            for (int i = 0; i < n; i++) {
                gate[i] = (float) (random.nextGaussian() * 6);
                up[i] = (float) random.nextGaussian();
            }
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = (float) (gate[i] / (1 + Math.exp(-gate[i])) * up[i]);
            float[] product = new float[n];
            for (int i = 0; i < n; i++) product[i] = gate[i] * up[i];
            VectorMath.siluMultiply(gate, up, n);
            assertThat(up).as("n %d: up left holding gate · up", n).containsExactly(product);
            for (int i = 0; i < n; i++) {
                assertThat(gate[i]).as("n %d, element %d", n, i).isCloseTo(expected[i], within(2e-6f * Math.max(1, Math.abs(expected[i]))));
            }
        }
    }

    @Test
    void expIsWithinTwoUlpOverTheFloatRange() {
        int n = (int) ((88.7f + 87.3f) / 0.0137f) + 1;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = Math.min(88.7f, -87.3f + 0.0137f * i);
        float[] e = x.clone();
        VectorMath.exp(e, 0, n);
        for (int i = 0; i < n; i++) {
            float expected = (float) Math.exp(x[i]);
            assertThat(e[i]).as("exp(%s)", x[i]).isCloseTo(expected, within(2 * Math.ulp(expected)));
        }
        float[] edges = {7f, 89f, -88f, Float.NaN, Float.NEGATIVE_INFINITY, 0f, 7f};
        VectorMath.exp(edges, 1, 5); // the first and last element lie outside the range
        assertThat(edges).containsExactly(7f, Float.POSITIVE_INFINITY, 0f, Float.NaN, 0f, 1f, 7f);
    }

    @Test
    void siluMultiplyHandlesTheExtremes() {
        float[] gate = {-1000f, 1000f, 0f, Float.NaN, -88f, 88f};
        float[] up = {3f, 2f, 5f, 1f, 1f, 1f};
        VectorMath.siluMultiply(gate, up, gate.length);
        assertThat(gate[0]).isEqualTo(-0f); // exp overflows to infinity: −1000 / ∞
        assertThat(gate[1]).isEqualTo(2000f);
        assertThat(gate[2]).isZero();
        assertThat(gate[3]).isNaN();
        assertThat(gate[4]).isCloseTo(-88f * (float) Math.exp(-88), within(1e-35f)); // e^−88 flushed to 0 on the way: −88/∞... or tiny
        assertThat(gate[5]).isCloseTo(88f, within(1e-4f));
    }

    @Test
    void anElementGetsTheSameResultWhereverItLies() {
        Random random = new Random(6);
        float[] gate = new float[37], up = new float[37];
        for (int i = 0; i < 37; i++) {
            gate[i] = (float) random.nextGaussian() * 4;
            up[i] = (float) random.nextGaussian();
        }
        float[] whole = gate.clone();
        VectorMath.siluMultiply(whole, up.clone(), 37);
        for (int at : new int[] {0, 15, 16, 36}) { // the same value alone, first of a vector and in the tail
            float[] alone = {gate[at]};
            VectorMath.siluMultiply(alone, new float[] {up[at]}, 1);
            assertThat(alone[0]).as("element %d", at).isEqualTo(whole[at]);
        }
    }

    @Test
    void sumExpIsTheSoftmaxDenominatorWithMaskedValuesLeftOut() {
        Random random = new Random(9);
        for (int n : new int[] {1, 15, 17, 1024, 1040, 151_552}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = random.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : (float) (random.nextGaussian() * 4);
            float max = 12f, scale = 1 / 0.6f;
            double expected = 0;
            for (int i = 0; i < n; i++) expected += Math.exp((x[i] - max) * (double) scale);
            assertThat(VectorMath.sumExp(x, n, max, scale)).as("n %d", n).isCloseTo(expected, within(1e-6 * expected + 1e-300));
        }
    }
}
