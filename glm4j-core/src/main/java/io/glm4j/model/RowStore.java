package io.glm4j.model;

/**
 * Rows of K or V values (one row per position, all KV heads side by side) in one element type.
 * Attention reads them one head-slice at a time, decoded to float32.
 */
sealed interface RowStore {

    void put(int row, float[] src, int srcOff);

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

        public void read(int row, int from, float[] dst, int dstOff, int n) {
            int base = row * width + from;
            for (int b = 0; b < n; b += BLOCK) {
                float scale = scales[(base + b) / BLOCK];
                for (int i = 0; i < BLOCK; i++) dst[dstOff + b + i] = scale * quants[base + b + i];
            }
        }
    }
}
