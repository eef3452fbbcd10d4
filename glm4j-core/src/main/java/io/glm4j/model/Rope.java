package io.glm4j.model;

/**
 * Partial rotary position embedding with NEOX ("rotate half") pairing: of each head's dims only
 * the first {@code dims} rotate, dim {@code i} paired with {@code i + dims/2}; the rest pass through.
 */
final class Rope {
    private final int dims;
    private final double[] inverseFrequency;

    Rope(int dims, double theta) {
        this.dims = dims;
        this.inverseFrequency = new double[dims / 2];
        for (int i = 0; i < dims / 2; i++) inverseFrequency[i] = Math.pow(theta, -2.0 * i / dims);
    }

    /** Rotates {@code heads} consecutive heads of {@code headDim} values starting at {@code off}. */
    void rotate(float[] x, int off, int heads, int headDim, int position) {
        int half = dims / 2;
        for (int i = 0; i < half; i++) {
            double angle = position * inverseFrequency[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int base = off + h * headDim;
                float a = x[base + i];
                float b = x[base + i + half];
                x[base + i] = a * cos - b * sin;
                x[base + i + half] = b * cos + a * sin;
            }
        }
    }
}
