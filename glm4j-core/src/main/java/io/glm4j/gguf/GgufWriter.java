package io.glm4j.gguf;

import io.glm4j.tensor.GgmlType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF version 3 files: metadata in insertion order, then the tensor directory, then the
 * aligned tensor data, streamed so that files larger than memory can be written.
 * Metadata values use the Java types {@link GgufFile} reads back; integers default to the GGUF
 * type llama.cpp's writer picks ({@code Integer} → u32 as most keys are, {@code Long} → u64) unless
 * added with an explicit type.
 */
public final class GgufWriter {
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, GgufValueType> explicitTypes = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private int alignment = 32;

    /** Supplies a tensor's bytes when the data section is written. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A value copied as encoded bytes (type id and value) from another file. */
    private record Encoded(byte[] typeAndValue) {}

    private record PendingTensor(String name, GgmlType type, long[] ne, long bytes, TensorData data) {}

    public GgufWriter put(String key, Object value) {
        if (key.equals("general.alignment") && value instanceof Number n) alignment = n.intValue();
        metadata.put(key, value);
        return this;
    }

    /** Adds a key whose value is copied exactly as another GGUF file encodes it ({@link GgufFile#encodedMetadata()}). */
    public GgufWriter putEncoded(String key, MemorySegment typeAndValue) {
        if (key.equals("general.alignment")) {
            alignment = typeAndValue.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4); // a u32 by the spec
        }
        return put(key, new Encoded(typeAndValue.toArray(ValueLayout.JAVA_BYTE)));
    }

    /** Adds an integer key with an exact GGUF type, e.g. {@code "i32"} for token types. */
    public GgufWriter putTyped(String key, Object value, String ggufType) {
        explicitTypes.put(key, GgufValueType.valueOf(switch (ggufType) {
            case "u8" -> "UINT8";
            case "i32" -> "INT32";
            case "u32" -> "UINT32";
            case "i64" -> "INT64";
            case "u64" -> "UINT64";
            default -> throw new IllegalArgumentException("unknown GGUF integer type " + ggufType);
        }));
        return put(key, value);
    }

    public GgufWriter tensor(String name, GgmlType type, long[] ne, TensorData data) {
        if (type.id < 0) throw new IllegalArgumentException(name + ": " + type + " has no GGUF type id");
        long elements = 1;
        for (long d : ne) elements *= d;
        tensors.add(new PendingTensor(name, type, ne.clone(), type.bytesFor(elements), data));
        return this;
    }

    public GgufWriter tensor(String name, GgmlType type, long[] ne, byte[] bytes) {
        return tensor(name, type, ne, out -> out.write(bytes));
    }

    public GgufWriter tensor(String name, long[] ne, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return tensor(name, GgmlType.F32, ne, b.array());
    }

    public GgufWriter tensor(String name, GgmlType type, long[] ne, MemorySegment bytes) {
        return tensor(name, type, ne, out -> out.write(bytes.toArray(ValueLayout.JAVA_BYTE)));
    }

    public void write(Path path) {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            LittleEndianOutput out = new LittleEndianOutput(file);
            out.i32(0x46554747);
            out.i32(3);
            out.i64(tensors.size());
            out.i64(metadata.size());
            for (var e : metadata.entrySet()) {
                out.string(e.getKey());
                writeValue(out, e.getValue(), explicitTypes.get(e.getKey()));
            }
            long offset = 0;
            for (PendingTensor t : tensors) {
                out.string(t.name);
                out.i32(t.ne.length);
                for (long d : t.ne) out.i64(d);
                out.i32(t.type.id);
                out.i64(offset);
                offset = GgufFile.alignUp(offset + t.bytes, alignment);
            }
            out.pad(alignment);
            for (PendingTensor t : tensors) {
                long before = out.written;
                t.data.writeTo(out);
                if (out.written - before != t.bytes) {
                    throw new IllegalStateException("tensor " + t.name + " wrote " + (out.written - before) + " bytes, expected " + t.bytes);
                }
                out.pad(alignment);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private static void writeValue(LittleEndianOutput out, Object v, GgufValueType explicit) throws IOException {
        if (v instanceof Encoded e) {
            out.write(e.typeAndValue(), 0, e.typeAndValue().length);
            return;
        }
        GgufValueType type = explicit != null ? explicit : typeOf(v);
        out.i32(type.ordinal());
        if (type == GgufValueType.ARRAY) {
            writeArray(out, v);
        } else {
            writeScalar(out, v, type);
        }
    }

    private static GgufValueType typeOf(Object v) {
        return switch (v) {
            case Integer i -> GgufValueType.UINT32;
            case Long l -> GgufValueType.UINT64;
            case Float f -> GgufValueType.FLOAT32;
            case Double d -> GgufValueType.FLOAT64;
            case Boolean b -> GgufValueType.BOOL;
            case String s -> GgufValueType.STRING;
            case int[] a -> GgufValueType.ARRAY;
            case float[] a -> GgufValueType.ARRAY;
            case List<?> l -> GgufValueType.ARRAY;
            default -> throw new IllegalArgumentException("cannot write metadata value of type " + v.getClass());
        };
    }

    private static void writeScalar(LittleEndianOutput out, Object v, GgufValueType type) throws IOException {
        switch (type) {
            case UINT8, INT8, BOOL -> out.write(v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).intValue());
            case UINT16, INT16 -> out.i16(((Number) v).intValue());
            case UINT32, INT32 -> out.i32(((Number) v).intValue());
            case UINT64, INT64 -> out.i64(((Number) v).longValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits(((Number) v).floatValue()));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            case STRING -> out.string((String) v);
            case ARRAY -> throw new IllegalArgumentException("nested array written as scalar");
        }
    }

    private static void writeArray(LittleEndianOutput out, Object v) throws IOException {
        switch (v) {
            case int[] a -> {
                out.i32(GgufValueType.INT32.ordinal());
                out.i64(a.length);
                for (int x : a) out.i32(x);
            }
            case float[] a -> {
                out.i32(GgufValueType.FLOAT32.ordinal());
                out.i64(a.length);
                for (float x : a) out.i32(Float.floatToRawIntBits(x));
            }
            case List<?> l -> {
                GgufValueType element = l.isEmpty() ? GgufValueType.STRING : typeOf(l.getFirst());
                out.i32(element.ordinal());
                out.i64(l.size());
                for (Object x : l) {
                    if (element == GgufValueType.ARRAY) writeArray(out, x);
                    else writeScalar(out, x, element);
                }
            }
            default -> throw new IllegalArgumentException("cannot write array of type " + v.getClass());
        }
    }

    /** Counts bytes so that alignment padding and tensor sizes can be checked. */
    private static final class LittleEndianOutput extends OutputStream {
        private final OutputStream out;
        long written;

        LittleEndianOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
        }

        void i16(int v) throws IOException {
            write(v);
            write(v >>> 8);
        }

        void i32(int v) throws IOException {
            for (int s = 0; s < 32; s += 8) write(v >>> s);
        }

        void i64(long v) throws IOException {
            for (int s = 0; s < 64; s += 8) write((int) (v >>> s));
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void pad(int alignment) throws IOException {
            while (written % alignment != 0) write(0);
        }
    }
}
