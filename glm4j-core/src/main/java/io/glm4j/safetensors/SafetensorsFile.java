package io.glm4j.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.tensor.FileMapping;
import io.glm4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}}, plus optional string {@code __metadata__}), then the
 * data. Opening checks every entry against the file — known dtype, a size that fits its shape,
 * offsets inside the data section and not overlapping — so that a header that lies fails here, by
 * shard and tensor name, instead of as a wrong answer or a crash later. Tensors are views.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference implementation refuses larger headers; so does glm4j. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A header entry: where a tensor's bytes lie within the data section. */
    public record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        String file = path.getFileName().toString();
        if (mapping.byteSize() < 8) throw new Glm4jException(file + " is too short to be a safetensors file");
        long headerBytes = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES || headerBytes > mapping.byteSize() - 8) {
            throw new Glm4jException(file + " is not a safetensors file or is truncated (header length "
                    + Long.toUnsignedString(headerBytes) + ", file size " + mapping.byteSize() + ")");
        }
        JsonNode header = parse(file, mapping.asSlice(8, headerBytes).toArray(ValueLayout.JAVA_BYTE));
        this.data = mapping.asSlice(8 + headerBytes);
        Map<String, Entry> byName = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (var field : header.properties()) {
            if (field.getKey().equals("__metadata__")) {
                field.getValue().properties().forEach(m -> meta.put(m.getKey(), m.getValue().asText()));
            } else {
                byName.put(field.getKey(), entry(file, field.getKey(), field.getValue(), data.byteSize()));
            }
        }
        requireDisjoint(file, byName.values());
        this.entries = Collections.unmodifiableMap(byName);
        this.metadata = Collections.unmodifiableMap(meta);
    }

    /** Maps and checks the file; the caller closes it, which unmaps every view. */
    public static SafetensorsFile open(Path path) {
        return FileMapping.open(path, "safetensors file", (arena, mapping) -> new SafetensorsFile(path, arena, mapping));
    }

    private static JsonNode parse(String file, byte[] header) {
        try {
            JsonNode root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) throw new Glm4jException(file + ": the safetensors header is not a JSON object");
            return root;
        } catch (JsonProcessingException e) {
            throw new Glm4jException(file + ": the safetensors header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static Entry entry(String file, String name, JsonNode node, long dataBytes) {
        String where = file + ": tensor '" + name + "'";
        JsonNode offsets = node.path("data_offsets");
        JsonNode shape = node.path("shape");
        if (!node.path("dtype").isTextual() || !shape.isArray() || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).canConvertToExactIntegral() || !offsets.get(1).canConvertToExactIntegral()) {
            throw new Glm4jException(where + " needs a dtype, a shape and two data_offsets in the header");
        }
        Dtype dtype = Dtype.named(node.get("dtype").asText());
        if (dtype == null) throw new Glm4jException(where + " has an unknown dtype '" + node.get("dtype").asText() + "'");
        long[] dims = new long[shape.size()];
        long bytes = dtype.bytes;
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.canConvertToExactIntegral() || d.asLong(-1) < 0) throw new Glm4jException(where + " has an invalid shape " + shape);
            dims[i] = d.asLong();
            bytes = saturatedProduct(bytes, dims[i]);
        }
        long begin = offsets.get(0).asLong(), end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new Glm4jException(where + " has data_offsets [" + begin + ", " + end + "] outside the "
                    + dataBytes + " bytes of data; the header lies or the file is truncated");
        }
        if (end - begin != bytes) {
            throw new Glm4jException(where + " has " + (end - begin) + " bytes of data but its shape " + shape + " of "
                    + dtype + " needs " + (bytes == Long.MAX_VALUE ? "more" : String.valueOf(bytes)));
        }
        return new Entry(name, dtype, dims, begin, end);
    }

    private static long saturatedProduct(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void requireDisjoint(String file, Iterable<Entry> all) {
        List<Entry> sorted = new ArrayList<>();
        all.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry previous = sorted.get(i - 1), next = sorted.get(i);
            if (next.begin() < previous.end()) {
                throw new Glm4jException(file + ": tensors '" + previous.name() + "' and '" + next.name() + "' overlap in the data section");
            }
        }
    }

    public Path path() {
        return path;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** The whole mapped file. */
    public MemorySegment mapping() {
        return mapping;
    }

    /** Every entry, in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The {@code __metadata__} strings (e.g. {@code format: pt}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor as a view, {@code ne} being the shape reversed (safetensors lists the slowest dimension first). */
    public Tensor tensor(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new Glm4jException(path.getFileName() + " has no tensor '" + name + "'");
        var type = e.dtype().storage("tensor '" + name + "' in " + path.getFileName());
        long[] ne = new long[Math.max(1, e.shape().length)];
        ne[0] = 1;
        for (int i = 0; i < e.shape().length; i++) ne[i] = e.shape()[e.shape().length - 1 - i];
        return new Tensor(name, type, ne, data.asSlice(e.begin(), e.end() - e.begin()));
    }

    @Override
    public void close() {
        arena.close();
    }
}
