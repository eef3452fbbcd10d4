package io.glm4j.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float32 inputs and the bytes llama.cpp's quantizers make of them, read from the test resource
 * {@code quantize/<TYPE>.bin} (see the README beside it).
 */
record QuantizeVectors(GgmlType type, float[] values, byte[] bytes) {

    static QuantizeVectors load(GgmlType type) {
        try (InputStream in = QuantizeVectors.class.getResourceAsStream("quantize/" + type + ".bin")) {
            if (in == null) throw new IllegalStateException("no quantize vectors for " + type);
            ByteBuffer file = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[file.getInt()];
            for (int i = 0; i < values.length; i++) values[i] = file.getFloat();
            byte[] bytes = new byte[file.getInt()];
            file.get(bytes);
            return new QuantizeVectors(type, values, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
