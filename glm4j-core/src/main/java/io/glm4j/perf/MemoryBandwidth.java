package io.glm4j.perf;

import io.glm4j.tensor.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.LongAdder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Memory read bandwidth as the engine's threads see it: every worker streams its share of a
 * buffer far larger than the caches with wide vector loads; the best of several passes counts.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;

    private MemoryBandwidth() {}

    /** Bytes per second read from a {@code bytes}-byte buffer by all of {@code pool}'s threads. */
    public static double measure(WorkerPool pool, long bytes, int passes) {
        int parts = pool.threads();
        long part = bytes / parts / LONGS.vectorByteSize() / 4 * LONGS.vectorByteSize() * 4;
        LongAdder sink = new LongAdder();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(part * parts, 64);
            buffer.fill((byte) 1);
            // compiled before it is timed: the Vector API runs as plain Java until C2 has the loop
            long warmUp = Math.min(part, 1 << 14);
            for (int i = 0; i < 20_000; i++) sink.add(read(buffer, 0, warmUp));
            long best = Long.MAX_VALUE;
            for (int pass = 0; pass < passes; pass++) {
                long start = System.nanoTime();
                pool.forRange(parts, 1, (from, to) -> {
                    for (int p = from; p < to; p++) sink.add(read(buffer, p * part, part));
                });
                best = Math.min(best, System.nanoTime() - start);
            }
            if (sink.sum() == 42) System.err.print(""); // keeps the reads observable
            return part * parts / (best / 1e9);
        }
    }

    /** Folds {@code length} bytes (a multiple of four vectors) into one value, four loads in flight. */
    private static long read(MemorySegment data, long offset, long length) {
        long step = LONGS.vectorByteSize();
        LongVector a = LongVector.zero(LONGS), b = a, c = a, d = a;
        for (long i = offset, end = offset + length; i < end; i += 4 * step) {
            a = a.add(LongVector.fromMemorySegment(LONGS, data, i, ByteOrder.LITTLE_ENDIAN));
            b = b.add(LongVector.fromMemorySegment(LONGS, data, i + step, ByteOrder.LITTLE_ENDIAN));
            c = c.add(LongVector.fromMemorySegment(LONGS, data, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            d = d.add(LongVector.fromMemorySegment(LONGS, data, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }
}
