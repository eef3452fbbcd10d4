package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @ParameterizedTest
    @CsvSource({"1, 100, 1", "2, 1, 1", "2, 7, 1", "2, 1000, 1", "3, 1000, 1", "4, 33, 1", "3, 10000, 64"})
    void everyIndexRunsExactlyOnce(int threads, int n, int grain) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (int job = 0; job < 50; job++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(n);
                pool.forRange(n, grain, (start, end) -> {
                    for (int i = start; i < end; i++) runs.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertThat(runs.get(i)).as("index %d of job %d", i, job).isEqualTo(1);
            }
        }
    }

    @Test
    void eachThreadStartsOnItsOwnContiguousShare() {
        try (WorkerPool pool = new WorkerPool(2)) {
            ConcurrentHashMap<Integer, String> firstChunkBy = new ConcurrentHashMap<>();
            pool.forRange(32, 1, (start, end) -> {
                firstChunkBy.putIfAbsent(start, Thread.currentThread().getName());
                sleep(5); // long enough for the worker to wake and claim its own share
            });
            // the caller owns chunks 0..15, the worker 16..31: each begins at the start of its share
            assertThat(firstChunkBy.get(0)).isEqualTo(Thread.currentThread().getName());
            assertThat(firstChunkBy.get(16)).startsWith("glm4j-worker-");
        }
    }

    @Test
    void aSlowThreadsChunksAreTakenOverByTheOthers() {
        try (WorkerPool pool = new WorkerPool(2)) {
            String caller = Thread.currentThread().getName();
            ConcurrentHashMap<String, Integer> chunksBy = new ConcurrentHashMap<>();
            pool.forRange(32, 1, (start, end) -> {
                String name = Thread.currentThread().getName();
                chunksBy.merge(name, 1, Integer::sum);
                if (!name.equals(caller)) sleep(50); // the worker stalls on its first chunk
            });
            assertThat(chunksBy.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(32);
            assertThat(chunksBy.get(caller)).isGreaterThan(16);
        }
    }

    @Test
    void aFailureInAChunkReachesTheCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            assertThatThrownBy(() -> pool.forRange(32, 1, (start, end) -> {
                if (start == 20) throw new IllegalStateException("chunk 20");
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 20");
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            pool.forRange(8, 1, (start, end) -> runs.incrementAndGet(start)); // the pool still works
            for (int i = 0; i < 8; i++) assertThat(runs.get(i)).isEqualTo(1);
        }
    }

    @Test
    void aJobStartedInsideAJobRunsOnItsCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(16 * 16);
            pool.forRange(16, 1, (start, end) -> {
                for (int i = start; i < end; i++) {
                    int row = i;
                    pool.forRange(16, 1, (s, e) -> {
                        for (int j = s; j < e; j++) runs.incrementAndGet(16 * row + j);
                    });
                }
            });
            for (int i = 0; i < 256; i++) assertThat(runs.get(i)).isEqualTo(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
