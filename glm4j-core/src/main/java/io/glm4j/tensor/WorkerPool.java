package io.glm4j.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one pool of threads every kernel runs on, created once and sized to the cores
 * (or to the {@code -t} option). Work is split into contiguous index ranges.
 */
public final class WorkerPool implements AutoCloseable {
    private static volatile WorkerPool shared;

    private final ForkJoinPool pool;
    private final int threads;

    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
    }

    /** The process-wide pool, sized to the available processors unless {@link #configure} ran first. */
    public static WorkerPool shared() {
        WorkerPool p = shared;
        if (p == null) {
            synchronized (WorkerPool.class) {
                if (shared == null) shared = new WorkerPool(Runtime.getRuntime().availableProcessors());
                p = shared;
            }
        }
        return p;
    }

    /** Sets the size of the shared pool (the CLI's {@code -t}); call before any kernel runs. */
    public static synchronized void configure(int threads) {
        if (shared != null) shared.close();
        shared = new WorkerPool(threads);
    }

    public int threads() {
        return threads;
    }

    /** A body that handles indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices. */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(Math.max(1, n / Math.max(1, grain)), threads * 4);
        if (chunks == 1 || threads == 1) {
            body.run(0, n);
            return;
        }
        if (ForkJoinTask.inForkJoinPool()) {
            new Split(0, n, n / chunks + 1, body).invoke();
        } else {
            pool.invoke(new Split(0, n, n / chunks + 1, body));
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private static final class Split extends RecursiveAction {
        private final int start, end, chunk;
        private final RangeBody body;

        Split(int start, int end, int chunk, RangeBody body) {
            this.start = start;
            this.end = end;
            this.chunk = chunk;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (end - start <= chunk) {
                body.run(start, end);
            } else {
                int mid = start + (end - start) / 2;
                invokeAll(new Split(start, mid, chunk, body), new Split(mid, end, chunk, body));
            }
        }
    }
}
