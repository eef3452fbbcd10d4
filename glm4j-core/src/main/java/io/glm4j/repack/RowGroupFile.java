package io.glm4j.repack;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.FileMapping;
import io.glm4j.tensor.PageAdvice;
import io.glm4j.tensor.RowGroups;
import io.glm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A GGUF model's matrices repacked into {@link RowGroups}, kept in a cache file that is
 * memory-mapped like the model, so the weights never move onto the heap and a second start maps
 * it at once. The file is tied to the model file's path, size and modification time; it is
 * rebuilt when any of them changes, and written under a temporary name that is moved into place
 * only when complete, so an interrupted build never leaves a file that looks finished.
 *
 * <p>Layout (little-endian): the magic {@code GLM4JRG1}, {@link RowGroups#LAYOUT_VERSION}, the
 * rows per group ({@link RowGroups#ROWS}, which depends on the machine's vectors), the model's
 * size and modification time in milliseconds, the number of tensors, then per tensor its name
 * (length-prefixed UTF-8), type, offset and byte count; each tensor's groups start at a multiple
 * of 64 bytes. A file that differs in any of these is rebuilt.
 *
 * <p>Embeddings are read one row per token, never multiplied, and are not repacked.
 */
public final class RowGroupFile implements AutoCloseable {
    private static final long MAGIC = ByteBuffer.wrap("GLM4JRG1".getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    private static final long ALIGNMENT = 64;
    /** Bytes packed per write, so a full disk is an IOException, not a fault in a mapped page. */
    private static final long CHUNK_BYTES = 16L << 20;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final Map<String, MemorySegment> groups;

    private RowGroupFile(Path path, Arena arena, MemorySegment mapping, Map<String, MemorySegment> groups) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.groups = groups;
    }

    /** One repacked tensor and where its groups lie in the file. */
    private record Entry(Tensor tensor, long offset) {
        long bytes() {
            return RowGroups.bytes(tensor);
        }
    }

    /** Maps the row groups of {@code model} from the repack directory, building the file first if it is missing or stale. */
    public static RowGroupFile open(GgufFile model, Repack repack) {
        Path directory = repack.directory();
        List<Tensor> tensors = model.tensors().values().stream().filter(RowGroupFile::repacked).toList();
        Path path = directory.resolve(model.path().getFileName() + "." + pathHash(model.path()) + ".groups");
        long size, modified;
        try {
            size = Files.size(model.path());
            modified = Files.getLastModifiedTime(model.path()).toMillis();
        } catch (IOException e) {
            throw new Glm4jException("cannot read " + model.path() + ": " + e.getMessage(), e);
        }
        int headerBytes = 36 + tensors.stream().mapToInt(t -> 24 + utf8(t.name()).length).sum();
        List<Entry> entries = entries(tensors, headerBytes);
        byte[] header = header(entries, headerBytes, size, modified);
        long fileBytes = entries.isEmpty() ? headerBytes : entries.getLast().offset() + entries.getLast().bytes();
        if (!matches(path, header, fileBytes)) {
            repack.log().accept("repacking " + tensors.size() + " tensors (" + gib(fileBytes) + " GiB) into " + path);
            long start = System.nanoTime();
            build(path, header, entries, fileBytes, repack.progress().apply(fileBytes));
            repack.log().accept(String.format("repacked in %.1f s", (System.nanoTime() - start) / 1e9));
        }
        return FileMapping.open(path, "row-group file", (arena, mapping) -> {
            if (mapping.byteSize() != fileBytes) throw new Glm4jException(path + " changed while it was opened; delete it to rebuild it");
            Map<String, MemorySegment> byName = new LinkedHashMap<>();
            for (Entry e : entries) byName.put(e.tensor().name(), mapping.asSlice(e.offset(), e.bytes()));
            return new RowGroupFile(path, arena, mapping, byName);
        });
    }

    /** {@code t} with its row groups attached, if this file has them. */
    public Tensor attach(Tensor t) {
        MemorySegment g = t == null ? null : groups.get(t.name());
        return g == null ? t : t.withGroups(g);
    }

    public Path path() {
        return path;
    }

    public long byteSize() {
        return mapping.byteSize();
    }

    /** The whole mapped file. */
    public MemorySegment mapping() {
        return mapping;
    }

    @Override
    public void close() {
        arena.close();
    }

    private static boolean repacked(Tensor t) {
        return RowGroups.supports(t) && !t.name().contains("token_embd") && !t.name().contains("embed_tokens");
    }

    private static String pathHash(Path model) {
        return HexFormat.of().toHexDigits(model.toAbsolutePath().normalize().toString().hashCode());
    }

    /** Each tensor's groups start at the next multiple of 64 after the header or the previous tensor. */
    private static List<Entry> entries(List<Tensor> tensors, int headerBytes) {
        List<Entry> entries = new ArrayList<>();
        long at = align(headerBytes);
        for (Tensor t : tensors) {
            entries.add(new Entry(t, at));
            at = align(at + RowGroups.bytes(t));
        }
        return entries;
    }

    /** The header's offsets count from the first data byte. */
    private static byte[] header(List<Entry> entries, int headerBytes, long size, long modified) {
        ByteBuffer b = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(RowGroups.LAYOUT_VERSION).putInt(RowGroups.ROWS).putLong(size).putLong(modified).putInt(entries.size());
        for (Entry e : entries) {
            byte[] name = utf8(e.tensor().name());
            b.putInt(name.length).put(name).putInt(e.tensor().type().id).putLong(e.offset() - align(headerBytes)).putLong(e.bytes());
        }
        return b.array();
    }

    /** Whether {@code path} is a complete file for exactly this header. */
    private static boolean matches(Path path, byte[] header, long fileBytes) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() != fileBytes) return false;
            ByteBuffer found = ByteBuffer.allocate(header.length);
            while (found.hasRemaining() && channel.read(found) >= 0) {
                // reads until the header is complete or the file ends
            }
            return !found.hasRemaining() && found.flip().equals(ByteBuffer.wrap(header));
        } catch (IOException e) {
            return false;
        }
    }

    private static void build(Path path, byte[] header, List<Entry> entries, long fileBytes, LongConsumer progress) {
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(path.getParent());
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                    Arena scratch = Arena.ofConfined()) {
                write(out, ByteBuffer.wrap(header), 0);
                for (Entry e : entries) pack(out, e.tensor(), e.offset(), scratch, progress);
                if (out.size() < fileBytes) write(out, ByteBuffer.allocate(1), fileBytes - 1);
                progress.accept(fileBytes);
                out.force(false);
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            PageAdvice.dropCached(path); // written in small pages; read back at load in 2 MB ones
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the build already failed; that error is the one to report
            }
            throw new Glm4jException("cannot write the row-group file " + path + ": " + e.getMessage()
                    + " (it needs " + gib(fileBytes) + " GiB; run without --repack, or give --repack-dir a disk with room)", e);
        }
    }

    private static void pack(FileChannel out, Tensor t, long offset, Arena scratch, LongConsumer progress) throws IOException {
        long groupBytes = RowGroups.groupBytes(t);
        long perChunk = Math.max(1, CHUNK_BYTES / groupBytes);
        MemorySegment buffer = scratch.allocate(perChunk * groupBytes, ALIGNMENT);
        for (long g = 0, count = RowGroups.groupCount(t); g < count; g += perChunk) {
            long n = Math.min(perChunk, count - g);
            RowGroups.pack(t, g, n, buffer);
            write(out, buffer.asSlice(0, n * groupBytes).asByteBuffer(), offset + g * groupBytes);
            progress.accept(offset + (g + n) * groupBytes);
        }
    }

    private static void write(FileChannel out, ByteBuffer bytes, long position) throws IOException {
        while (bytes.hasRemaining()) position += out.write(bytes, position);
    }

    private static long align(long offset) {
        return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String gib(long bytes) {
        return String.format("%.2f", bytes / (double) (1L << 30));
    }
}
