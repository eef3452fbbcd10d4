package io.glm4j.tensor;

import io.glm4j.Glm4jException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;

/**
 * Maps a weights file read-only into memory (FFM), asking for 2 MB pages ({@link PageAdvice}),
 * and hands the mapping to the reader that indexes it.
 */
public final class FileMapping {
    private FileMapping() {}

    /**
     * Maps {@code path} in a shared arena and returns {@code reader(arena, mapping)}; the result owns
     * the arena (closing it unmaps). If mapping or reading fails, the arena is closed and the error
     * is one {@link Glm4jException} ({@code kind} names the file for the user, e.g. "model file").
     */
    public static <T> T open(Path path, String kind, BiFunction<Arena, MemorySegment, T> reader) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            PageAdvice.hugePages(mapping);
            return reader.apply(arena, mapping);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new Glm4jException(kind + " not found: " + path);
        } catch (IOException e) {
            arena.close();
            throw new Glm4jException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Reads mapped parts into the page cache now, 64 MB at a time, reporting bytes done over all of
     * them after each; so the first tokens do not wait on the disk (what a progress bar for opening a
     * large model shows).
     */
    public static void preload(List<MemorySegment> parts, LongConsumer progress) {
        long chunk = 64L << 20, before = 0;
        for (MemorySegment part : parts) {
            for (long at = 0; at < part.byteSize(); at += chunk) {
                part.asSlice(at, Math.min(chunk, part.byteSize() - at)).load();
                progress.accept(before + Math.min(at + chunk, part.byteSize()));
            }
            before += part.byteSize();
        }
    }
}
