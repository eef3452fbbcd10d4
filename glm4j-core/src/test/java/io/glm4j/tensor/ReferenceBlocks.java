package io.glm4j.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Random blocks of one storage type with the values gguf-py dequantizes them to, read from the
 * test resource {@code <TYPE>.bin} (see the README beside it).
 */
record ReferenceBlocks(GgmlType type, byte[] raw, float[] values) {

    static ReferenceBlocks load(GgmlType type) {
        try (InputStream in = ReferenceBlocks.class.getResourceAsStream(type + ".bin")) {
            if (in == null) throw new IllegalStateException("no reference blocks for " + type);
            ByteBuffer file = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            byte[] raw = new byte[file.getInt()];
            file.get(raw);
            float[] values = new float[file.getInt()];
            file.asFloatBuffer().get(values);
            return new ReferenceBlocks(type, raw, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int blocks() {
        return values.length / type.blockSize;
    }

    /** The raw blocks in native memory, {@code lead} random bytes in and followed by a few more. */
    MemorySegment placeIn(Arena arena, int lead) {
        byte[] noise = new byte[lead + raw.length + 64];
        new Random(lead).nextBytes(noise);
        System.arraycopy(raw, 0, noise, lead, raw.length);
        MemorySegment segment = arena.allocate(noise.length);
        MemorySegment.copy(MemorySegment.ofArray(noise), 0, segment, 0, noise.length);
        return segment;
    }
}
