package io.glm4j.gguf;

import io.glm4j.Glm4jException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decodes the key/value section of a GGUF header into Java values (see {@link GgufFile}). */
final class MetadataReader {
    private MetadataReader() {}

    /** Reads {@code count} entries; {@code encoded} receives each value's byte span (type id through value). */
    static Map<String, Object> read(ByteCursor in, int count, Map<String, long[]> encoded) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String key = in.string("metadata key");
            long start = in.position();
            GgufValueType type = GgufValueType.fromId(in.i32("type of " + key), key);
            values.put(key, value(in, type, key));
            encoded.put(key, new long[] {start, in.position()});
        }
        return values;
    }

    private static Object value(ByteCursor in, GgufValueType type, String key) {
        return switch (type) {
            case UINT8 -> in.i8(key) & 0xFF;
            case INT8 -> (int) in.i8(key);
            case UINT16 -> in.i16(key) & 0xFFFF;
            case INT16 -> (int) in.i16(key);
            case UINT32 -> in.i32(key) & 0xFFFFFFFFL;
            case INT32 -> in.i32(key);
            case UINT64, INT64 -> in.i64(key);
            case FLOAT32 -> in.f32(key);
            case FLOAT64 -> in.f64(key);
            case BOOL -> in.i8(key) != 0;
            case STRING -> in.string(key);
            case ARRAY -> array(in, key);
        };
    }

    private static Object array(ByteCursor in, String key) {
        GgufValueType type = GgufValueType.fromId(in.i32("element type of " + key), key);
        // Strings take at least their 8-byte length; arrays at least a type and a count.
        long minBytes = switch (type) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> type.size();
        };
        int n = in.count("length of array " + key, minBytes);
        return switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = ((Number) value(in, type, key)).intValue();
                yield a;
            }
            case UINT32, UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = ((Number) value(in, type, key)).longValue();
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = in.f32(key);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = in.f64(key);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = in.i8(key) != 0;
                yield a;
            }
            case STRING -> {
                List<String> a = new ArrayList<>(n);
                for (int i = 0; i < n; i++) a.add(in.string(key));
                yield List.copyOf(a);
            }
            case ARRAY -> {
                List<Object> a = new ArrayList<>(n);
                for (int i = 0; i < n; i++) a.add(array(in, key));
                yield a;
            }
        };
    }

    static Glm4jException wrongType(String file, String key, Object value, String wanted) {
        return new Glm4jException(file + ": metadata key '" + key + "' is " + value.getClass().getSimpleName() + ", expected " + wanted);
    }
}
