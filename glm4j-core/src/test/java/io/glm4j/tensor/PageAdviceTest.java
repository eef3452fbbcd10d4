package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageAdviceTest {
    @TempDir
    Path dir;

    @BeforeEach
    void onLinux() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "the hints are Linux system calls");
    }

    @Test
    void aMappedFileReadsTheSameAfterItsPagesAreDroppedAndHugePagesAsked() throws IOException {
        Path file = dir.resolve("weights.bin");
        int longs = 1 << 20; // 8 MB: four 2 MB pages
        ByteBuffer bytes = ByteBuffer.allocate(8 * longs).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < longs; i++) bytes.putLong(i * 0x9E3779B97F4A7C15L);
        Files.write(file, bytes.array());

        assertThat(PageAdvice.dropCached(file)).isTrue();
        long mismatches = FileMapping.open(file, "test file", (arena, mapping) -> {
            try (arena) {
                long wrong = 0;
                for (int i = 0; i < longs; i++) {
                    if (mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8L * i) != i * 0x9E3779B97F4A7C15L) wrong++;
                }
                return wrong;
            }
        });
        assertThat(mismatches).isZero();
    }

    @Test
    void theKernelTakesTheHugePageHintForAnAlignedBuffer() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4 << 20, 2 << 20);
            assertThat(PageAdvice.hugePages(buffer)).isTrue();
            buffer.fill((byte) 7);
            assertThat(buffer.get(ValueLayout.JAVA_BYTE, (4 << 20) - 1)).isEqualTo((byte) 7);
        }
    }

    @Test
    void aMissingFileIsNotAnError() {
        assertThat(PageAdvice.dropCached(dir.resolve("absent.bin"))).isFalse();
    }
}
