package io.glm4j.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small safetensors files for tests, with the option of a header that lies. */
public final class SafetensorsWriter {
    private final List<String> entries = new ArrayList<>();
    private final java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();

    /** Adds a tensor with the offsets its bytes really have. */
    public SafetensorsWriter add(String name, String dtype, long[] shape, byte[] bytes) {
        int begin = data.size();
        data.writeBytes(bytes);
        return raw(name, dtype, shape, begin, data.size());
    }

    /** Adds a header entry as given, without data. */
    public SafetensorsWriter raw(String name, String dtype, long[] shape, long begin, long end) {
        StringBuilder s = new StringBuilder();
        for (long d : shape) s.append(s.isEmpty() ? "" : ",").append(d);
        entries.add("\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + s + "],\"data_offsets\":[" + begin + "," + end + "]}");
        return this;
    }

    public static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    public Path write(Path path) {
        String header = "{\"__metadata__\":{\"format\":\"pt\"}" + (entries.isEmpty() ? "" : ",") + String.join(",", entries) + "}";
        return writeWithHeader(path, header);
    }

    public Path writeWithHeader(Path path, String header) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) out.put((byte) ' ');
        out.put(data.toByteArray());
        try {
            return Files.write(path, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
