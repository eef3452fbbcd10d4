package io.glm4j.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one pool of threads every kernel runs on, created once and sized to the cores (or to the
 * {@code -t} option). The calling thread takes part, so {@code threads − 1} workers are started.
 *
 * <p>A job is one range of indices cut into chunks that every participant claims from a shared
 * counter until none are left, so a core slowed by other work simply takes fewer chunks. Between
 * jobs workers spin briefly (decode runs a matrix every few microseconds) and then park; starting
 * a job costs one volatile write and, for parked workers, an unpark. Nothing is allocated per
 * chunk. A job started from inside a job, or while another thread's job runs, runs on the caller.
 */
public final class WorkerPool implements AutoCloseable {
    /** How long an idle worker spins before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private static volatile WorkerPool shared;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock callers = new ReentrantLock();
    private volatile Job current;
    private volatile boolean closed;

    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
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

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices (fewer, larger
     * chunks when {@code n} is small) and returns when every chunk is done.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(Math.max(1, n / Math.max(1, grain)), threads * 16);
        if (chunks == 1 || threads == 1 || Thread.currentThread() instanceof Worker || !callers.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            if (callers.getHoldCount() > 1) {
                body.run(0, n); // a job started by a body of this thread's running job
                return;
            }
            Job job = new Job(n, chunks, body);
            current = job;
            for (Worker w : workers) {
                if (w.parked) LockSupport.unpark(w);
            }
            job.work();
            while (job.done.get() < chunks) Thread.onSpinWait();
            if (job.failure != null) throw job.failure;
        } finally {
            callers.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    /** One range cut into chunks; participants claim chunks until none are left. */
    private static final class Job {
        final int n, chunks;
        final RangeBody body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile RuntimeException failure;

        Job(int n, int chunks, RangeBody body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
        }

        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (RuntimeException | Error e) {
                    failure = e instanceof RuntimeException r ? r : new RuntimeException(e);
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        Worker(int index) {
            super("glm4j-worker-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (!closed) {
                Job job = current;
                if (job != seen) {
                    seen = job;
                    job.work();
                    continue;
                }
                long idleSince = System.nanoTime();
                while (current == seen && !closed && System.nanoTime() - idleSince < SPIN_NANOS) Thread.onSpinWait();
                if (current == seen && !closed) {
                    parked = true;
                    if (current == seen && !closed) LockSupport.park(this);
                    parked = false;
                }
            }
        }
    }
}
