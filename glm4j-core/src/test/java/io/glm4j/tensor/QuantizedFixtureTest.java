package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The tiny GLM-4.5-Air fixtures quantized by llama-quantize decode to within one quantization step
 * of the F32 file they were made from, read straight from the mapped files. The tensor is
 * blk.0.attn_q.weight (256 rows of 256); its absolute data offsets are those gguf-py's GGUFReader
 * reports ({@code tensor.data_offset}), so this test does not depend on glm4j's GGUF reader.
 */
class QuantizedFixtureTest {
    private static final Path FIXTURES = Path.of("../shared/fixtures/glm45");
    private static final int ROWS = 256, COLS = 256;
    private static final long F32_OFFSET = 681_056;

    /** Q8_0 rounds to the nearest step d = amax/127, and d itself was rounded to fp16 (2^-11 relative). */
    @Test
    void q8_0WeightsAreWithinHalfAStepOfTheF32Weights() throws IOException {
        assertWithinSteps("tiny-glm45air-Q8_0.gguf", GgmlType.Q8_0, 480_864, 0.5 + 127.0 / 2048);
    }

    /** Q4_0 maps the largest magnitude to q = −8·d exactly; the other end clips from 8 to 7, a full step. */
    @Test
    void q4_0WeightsAreWithinOneStepOfTheF32Weights() throws IOException {
        assertWithinSteps("tiny-glm45air-Q4_0.gguf", GgmlType.Q4_0, 310_112, 1 + 8.0 / 2048);
    }

    private static void assertWithinSteps(String file, GgmlType type, long offset, double steps) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment exact = map(arena, "tiny-glm45air-F32.gguf");
            MemorySegment quantized = map(arena, file);
            RowKernel kernel = RowKernel.of(type);
            long rowBytes = type.bytesFor(COLS);
            float[] x = new float[COLS];
            Random random = new Random(7);
            for (int i = 0; i < COLS; i++) x[i] = random.nextFloat() * 2 - 1;
            float[] want = new float[COLS], got = new float[COLS];
            for (int row = 0; row < ROWS; row++) {
                long rowOffset = offset + row * rowBytes;
                RowKernel.of(GgmlType.F32).dequantize(exact, F32_OFFSET + 4L * COLS * row, want, 0, COLS);
                kernel.dequantize(quantized, rowOffset, got, 0, COLS);
                double wantDot = 0, dotBound = 0;
                for (int i = 0; i < COLS; i++) {
                    double step = Math.abs(Float.float16ToFloat(quantized.get(HalfFloats.LE_SHORT,
                            rowOffset + (long) (i / type.blockSize) * type.blockBytes)));
                    assertThat((double) got[i]).as("row %d value %d", row, i).isCloseTo(want[i],
                            offset(steps * step));
                    wantDot += (double) want[i] * x[i];
                    dotBound += steps * step * Math.abs(x[i]);
                }
                assertThat((double) kernel.dot(quantized, rowOffset, x, 0, COLS)).as("row %d dot", row)
                        .isCloseTo(wantDot, offset(dotBound + 1e-5));
            }
        }
    }

    private static MemorySegment map(Arena arena, String name) throws IOException {
        try (FileChannel channel = FileChannel.open(FIXTURES.resolve(name))) {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            assertThat(file.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0))
                    .as("GGUF magic of %s", name).isEqualTo(0x46554747);
            return file;
        }
    }
}
