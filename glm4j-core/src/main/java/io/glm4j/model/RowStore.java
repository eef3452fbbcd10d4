package io.glm4j.model;

/**
 * Rows of K or V values (one row per position, all KV heads side by side) in one element type.
 * Attention reads them one head-slice at a time, so each store offers a dot product and a
 * weighted add over a slice instead of handing out floats.
 */
sealed interface RowStore {

    void put(int row, float[] src, int srcOff);

    /** {@code Σ_d q[qOff+d] · row[from+d]} for {@code d < n}. */
    float dot(int row, int from, float[] q, int qOff, int n);

    /** {@code out[outOff+d] += w · row[from+d]} for {@code d < n}. */
    void addScaled(int row, int from, float w, float[] out, int outOff, int n);

    /** {@code dst[dstOff+d] = row[from+d]} as float32, for {@code d < n}. */
    void read(int row, int from, float[] dst, int dstOff, int n);

    final class Floats implements RowStore {
        private final float[] data;
        private final int width;

        Floats(int rows, int width) {
            this.data = new float[rows * width];
            this.width = width;
        }

        public void put(int row, float[] src, int srcOff) {
            System.arraycopy(src, srcOff, data, row * width, width);
        }

        public float dot(int row, int from, float[] q, int qOff, int n) {
            int base = row * width + from;
            float sum = 0;
            for (int d = 0; d < n; d++) sum += q[qOff + d] * data[base + d];
            return sum;
        }

        public void addScaled(int row, int from, float w, float[] out, int outOff, int n) {
            int base = row * width + from;
            for (int d = 0; d < n; d++) out[outOff + d] += w * data[base + d];
        }

        public void read(int row, int from, float[] dst, int dstOff, int n) {
            System.arraycopy(data, row * width + from, dst, dstOff, n);
        }
    }

    final class Halves implements RowStore {
        private final short[] data;
        private final int width;

        Halves(int rows, int width) {
            this.data = new short[rows * width];
            this.width = width;
        }

        public void put(int row, float[] src, int srcOff) {
            int base = row * width;
            for (int d = 0; d < width; d++) data[base + d] = Float.floatToFloat16(src[srcOff + d]);
        }

        public float dot(int row, int from, float[] q, int qOff, int n) {
            int base = row * width + from;
            float sum = 0;
            for (int d = 0; d < n; d++) sum += q[qOff + d] * Float.float16ToFloat(data[base + d]);
            return sum;
        }

        public void addScaled(int row, int from, float w, float[] out, int outOff, int n) {
            int base = row * width + from;
            for (int d = 0; d < n; d++) out[outOff + d] += w * Float.float16ToFloat(data[base + d]);
        }

        public void read(int row, int from, float[] dst, int dstOff, int n) {
            int base = row * width + from;
            for (int d = 0; d < n; d++) dst[dstOff + d] = Float.float16ToFloat(data[base + d]);
        }
    }

    /** llama.cpp's Q8_0 layout in spirit: blocks of 32 int8 values sharing one scale {@code amax / 127}. */
    final class Q8 implements RowStore {
        static final int BLOCK = 32;
        private final byte[] quants;
        private final float[] scales;
        private final int width;

        Q8(int rows, int width) {
            this.quants = new byte[rows * width];
            this.scales = new float[rows * width / BLOCK];
            this.width = width;
        }

        public void put(int row, float[] src, int srcOff) {
            int base = row * width;
            for (int b = 0; b < width / BLOCK; b++) {
                float amax = 0;
                for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(src[srcOff + b * BLOCK + i]));
                // The scale is rounded to float16 as the GGUF block stores it.
                float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
                float inverse = d == 0 ? 0 : 1 / d;
                scales[base / BLOCK + b] = d;
                for (int i = 0; i < BLOCK; i++) quants[base + b * BLOCK + i] = (byte) Math.round(src[srcOff + b * BLOCK + i] * inverse);
            }
        }

        public float dot(int row, int from, float[] q, int qOff, int n) {
            int base = row * width + from;
            float sum = 0;
            for (int b = 0; b < n; b += BLOCK) {
                float block = 0;
                for (int i = 0; i < BLOCK; i++) block += q[qOff + b + i] * quants[base + b + i];
                sum += block * scales[(base + b) / BLOCK];
            }
            return sum;
        }

        public void addScaled(int row, int from, float w, float[] out, int outOff, int n) {
            int base = row * width + from;
            for (int b = 0; b < n; b += BLOCK) {
                float scaled = w * scales[(base + b) / BLOCK];
                for (int i = 0; i < BLOCK; i++) out[outOff + b + i] += scaled * quants[base + b + i];
            }
        }

        public void read(int row, int from, float[] dst, int dstOff, int n) {
            int base = row * width + from;
            for (int b = 0; b < n; b += BLOCK) {
                float scale = scales[(base + b) / BLOCK];
                for (int i = 0; i < BLOCK; i++) dst[dstOff + b + i] = scale * quants[base + b + i];
            }
        }
    }
}
