package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.glm4j.Glm4jException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every kernel against gguf-py's dequantization of random blocks (see {@link ReferenceBlocks}). */
class RowKernelTest {
    private static final int LEAD = 13; // rows in a mapped file rarely start at byte 0, or aligned

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizeGivesExactlyTheReferenceValues(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = ref.placeIn(arena, LEAD);
            float[] out = new float[ref.values().length];

            RowKernel.of(type).dequantize(data, LEAD, out, 0, out.length);

            assertThat(out).containsExactly(ref.values());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizeARowThatStartsBlocksIntoTheDataIntoTheMiddleOfAnArray(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        int firstBlock = ref.blocks() / 3, blocks = ref.blocks() / 2, dstOffset = 7;
        int first = firstBlock * type.blockSize, count = blocks * type.blockSize;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = ref.placeIn(arena, LEAD);
            float[] out = new float[dstOffset + count + 5];
            Arrays.fill(out, Float.NaN);

            RowKernel.of(type).dequantize(data, LEAD + (long) firstBlock * type.blockBytes, out, dstOffset, count);

            assertThat(Arrays.copyOfRange(out, dstOffset, dstOffset + count))
                    .containsExactly(Arrays.copyOfRange(ref.values(), first, first + count));
            assertThat(Arrays.copyOfRange(out, 0, dstOffset)).containsOnly(Float.NaN);
            assertThat(Arrays.copyOfRange(out, dstOffset + count, out.length)).containsOnly(Float.NaN);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dotOfAWholeRowMatchesTheFloat64DotOfTheReferenceValues(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        assertDotMatches(ref, 0, ref.blocks(), 0);
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dotOfARowThatStartsBlocksInWithActivationsAtAnOffset(GgmlType type) {
        ReferenceBlocks ref = ReferenceBlocks.load(type);
        assertDotMatches(ref, ref.blocks() / 3, ref.blocks() / 2, 5);
        assertDotMatches(ref, ref.blocks() - 1, 1, 3);
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_1", "Q8_K", "I8", "I16", "I32", "I64", "F64"})
    void typesGlm4jCannotComputeWithAreRefusedByName(GgmlType type) {
        assertThatThrownBy(() -> RowKernel.of(type))
                .isInstanceOf(Glm4jException.class)
                .hasMessageContaining(type.name());
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K"})
    void rowLengthsMustBeWholeBlocks(GgmlType type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(4 * type.blockBytes);
            assertThatThrownBy(() -> RowKernel.of(type).dot(data, 0, new float[512], 0, type.blockSize + 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The vector path for F16 widens halves itself; the JDK's conversion is the reference for the edge cases. */
    @Test
    void f16DotHandlesInfinitiesNaNsAndSubnormalsLikeTheJdk() {
        RowKernel f16 = RowKernel.of(GgmlType.F16);
        short[] halves = {0x7c00, (short) 0xfc00, 0x7e01, 0x0001, (short) 0x83ff, 0x0400, 0x7bff, (short) 0xc000};
        float[] cases = new float[halves.length];
        try (Arena arena = Arena.ofConfined()) {
            for (int k = 0; k < halves.length; k++) {
                MemorySegment data = arena.allocate(2 * 64);
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * k, halves[k]);
                float[] x = new float[64];
                x[k] = 1f;
                cases[k] = f16.dot(data, 0, x, 0, 64);
            }
        }
        float[] expected = new float[halves.length];
        for (int k = 0; k < halves.length; k++) expected[k] = Float.float16ToFloat(halves[k]);
        assertThat(cases).containsExactly(expected);
    }

    private static void assertDotMatches(ReferenceBlocks ref, int firstBlock, int blocks, int xOffset) {
        GgmlType type = ref.type();
        int first = firstBlock * type.blockSize, count = blocks * type.blockSize;
        Random random = new Random(31L * firstBlock + blocks);
        float[] x = new float[xOffset + count];
        for (int i = 0; i < x.length; i++) x[i] = random.nextFloat() * 2 - 1;
        double expected = 0, magnitude = 0;
        for (int i = 0; i < count; i++) {
            double term = (double) ref.values()[first + i] * x[xOffset + i];
            expected += term;
            magnitude += Math.abs(term);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = ref.placeIn(arena, LEAD);

            float dot = RowKernel.of(type).dot(data, LEAD + (long) firstBlock * type.blockBytes, x, xOffset, count);

            assertThat((double) dot).as("%s dot of blocks %d..%d", type, firstBlock, firstBlock + blocks - 1)
                    .isCloseTo(expected, offset(1e-5 * magnitude + 1e-30));
        }
    }
}
