package io.glm4j.gguf;

import io.glm4j.Glm4jException;
import io.glm4j.tensor.FileMapping;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF model file (versions 2 and 3), memory-mapped. Opening reads only the header, metadata
 * and tensor directory, so it takes the same time for a 100 GB file as for a tiny one; tensor
 * data stays in the mapping and is handed out as {@link Tensor} views.
 *
 * <p>Metadata values are Java values: integers as {@code Integer} (8–32 bit signed, 8–16 bit
 * unsigned) or {@code Long} (u32, u64, i64), {@code Float}, {@code Double}, {@code Boolean},
 * {@code String}; arrays of numbers as {@code int[]}, {@code long[]}, {@code float[]},
 * {@code double[]}, {@code boolean[]}; arrays of strings as {@code List<String>}; arrays of
 * arrays as {@code List<Object>}.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, MemorySegment> encodedMetadata;
    private final Map<String, Tensor> tensors;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        String fileName = path.getFileName().toString();
        ByteCursor in = new ByteCursor(mapping, fileName);
        if (mapping.byteSize() < 8 || in.i32("magic") != MAGIC) {
            throw new Glm4jException(fileName + " is not a GGUF file (it does not start with 'GGUF')");
        }
        version = in.i32("version");
        if (version == 0x02000000 || version == 0x03000000) {
            throw new Glm4jException(fileName + " is a big-endian GGUF file; only little-endian files are supported");
        }
        if (version != 2 && version != 3) {
            throw new Glm4jException(fileName + " has GGUF version " + version + "; supported versions are 2 and 3");
        }
        int tensorCount = in.count("tensor count", 8 + 4 + 8 + 4 + 8);
        int kvCount = in.count("metadata count", 8 + 4);
        Map<String, long[]> spans = new LinkedHashMap<>();
        metadata = Collections.unmodifiableMap(MetadataReader.read(in, kvCount, spans));
        Map<String, MemorySegment> encoded = new LinkedHashMap<>();
        spans.forEach((key, span) -> encoded.put(key, mapping.asSlice(span[0], span[1] - span[0])));
        encodedMetadata = Collections.unmodifiableMap(encoded);
        int alignment = alignment(fileName);
        List<TensorInfo> infos = new ArrayList<>(tensorCount);
        for (int i = 0; i < tensorCount; i++) infos.add(TensorInfo.read(in));
        dataOffset = alignUp(in.position(), alignment);
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (TensorInfo info : infos) {
            Tensor t = info.view(mapping, dataOffset, alignment, fileName);
            if (byName.put(t.name(), t) != null) throw new Glm4jException(fileName + " lists tensor '" + t.name() + "' twice");
        }
        tensors = Collections.unmodifiableMap(byName);
    }

    /** Maps and indexes the file; the caller closes it (which unmaps every tensor view). */
    public static GgufFile open(Path path) {
        if (Files.isDirectory(path)) throw new Glm4jException(path + " is a directory, not a GGUF file");
        return FileMapping.open(path, "model file", (arena, mapping) -> new GgufFile(path, arena, mapping));
    }

    private int alignment(String fileName) {
        Object value = metadata.get("general.alignment");
        if (value == null) return DEFAULT_ALIGNMENT;
        long a = value instanceof Number n ? n.longValue() : -1;
        if (a <= 0 || a > 1 << 20 || Long.bitCount(a) != 1) {
            throw new Glm4jException(fileName + ": general.alignment " + value + " is not a power of two");
        }
        return (int) a;
    }

    static long alignUp(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** Byte offset where tensor data starts. */
    public long dataOffset() {
        return dataOffset;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    /** Each metadata value as the file encodes it (type id, then the value), to copy it exactly. */
    public Map<String, MemorySegment> encodedMetadata() {
        return encodedMetadata;
    }

    /** All tensors in file order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The tensor, or a {@link Glm4jException} saying it is missing. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new Glm4jException(path.getFileName() + " has no tensor '" + name + "'");
        return t;
    }

    /** The tensor, or null if absent (for optional tensors). */
    public Tensor optionalTensor(String name) {
        return tensors.get(name);
    }

    /** The whole mapped file (what {@link FileMapping#preload} reads into memory up front). */
    public MemorySegment mapping() {
        return mapping;
    }

    public Metadata meta() {
        return new Metadata(metadata, path.getFileName().toString());
    }

    @Override
    public void close() {
        arena.close();
    }

    /** One entry of the tensor directory. */
    private record TensorInfo(String name, long[] ne, int typeId, long offset) {
        static TensorInfo read(ByteCursor in) {
            String name = in.string("tensor name");
            int dims = in.i32("dimension count of " + name);
            if (dims < 1 || dims > 4) throw new Glm4jException("tensor '" + name + "' has " + dims + " dimensions; GGUF allows 1 to 4");
            long[] ne = new long[dims];
            for (int d = 0; d < dims; d++) {
                ne[d] = in.i64("shape of " + name);
                if (ne[d] <= 0) throw new Glm4jException("tensor '" + name + "' has invalid dimension " + Long.toUnsignedString(ne[d]));
            }
            int type = in.i32("type of " + name);
            long offset = in.i64("offset of " + name);
            return new TensorInfo(name, ne, type, offset);
        }

        Tensor view(MemorySegment mapping, long dataOffset, int alignment, String fileName) {
            GgmlType type;
            try {
                type = GgmlType.fromId(typeId);
            } catch (Glm4jException e) {
                throw new Glm4jException("tensor '" + name + "' in " + fileName + " has an unknown type id " + typeId);
            }
            long elements = 1;
            for (long d : ne) elements = Math.multiplyHigh(elements, d) == 0 ? elements * d : -1;
            if (elements <= 0 || ne[0] % type.blockSize != 0) {
                throw new Glm4jException("tensor '" + name + "' has a shape that " + type + " cannot store");
            }
            long bytes = type.bytesFor(elements);
            if (offset < 0 || offset % alignment != 0) {
                throw new Glm4jException("tensor '" + name + "' has a misaligned data offset " + offset);
            }
            long start = dataOffset + offset;
            if (start > mapping.byteSize() || bytes > mapping.byteSize() - start) {
                throw new Glm4jException("tensor '" + name + "' reaches past the end of " + fileName
                        + " (needs bytes " + start + ".." + (start + bytes) + ", file has " + mapping.byteSize()
                        + "); the file is truncated or corrupt");
            }
            return new Tensor(name, type, ne, mapping.asSlice(start, bytes));
        }
    }
}
