package io.glm4j.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one pool of threads every kernel runs on, created once and sized to the cores (or to the
 * {@code -t} option). The calling thread takes part, so {@code threads − 1} workers are started.
 *
 * <p>A job is one range of indices cut into chunks. Each participant owns a contiguous share of
 * them and claims its chunks in order, so each core reads one forward stream of weights (two
 * cores taking turns over a matrix in 1 MB chunks read it 3% slower, in 64 KB chunks 9%; each
 * core's prefetcher sees a stream with holes). One that runs out takes the last unclaimed chunk of
 * the share with most left, so a core slowed by other work simply takes fewer chunks. Between
 * jobs workers spin briefly (decode runs a matrix every few microseconds) and then park; starting
 * a job costs one volatile write and, for parked workers, an unpark. Nothing is allocated per
 * chunk. A job started from inside a job, or while another thread's job runs, runs on the caller.
 */
public final class WorkerPool implements AutoCloseable {
    /** How long an idle worker spins before it parks. */
    private static final long SPIN_NANOS = 200_000;
    /**
     * At most this many chunks a participant. A job ends with one thread waiting for the other's
     * last chunk, half a chunk on average: with 16 the decode caller waited 0.6–1.2 ms a token
     * (Q4_K_M slice, 24 jobs a token), with 64 0.3 ms.
     */
    private static final int CHUNKS_PER_THREAD = 64;

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
        int chunks = Math.min(Math.max(1, n / Math.max(1, grain)), threads * CHUNKS_PER_THREAD);
        if (chunks == 1 || threads == 1 || Thread.currentThread() instanceof Worker || !callers.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            if (callers.getHoldCount() > 1) {
                body.run(0, n); // a job started by a body of this thread's running job
                return;
            }
            Job job = new Job(n, chunks, threads, body);
            current = job;
            for (Worker w : workers) {
                if (w.parked) LockSupport.unpark(w);
            }
            job.work(0);
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

    /**
     * One range cut into chunks, participant p owning chunks {@code [p·chunks/threads, (p+1)·chunks/threads)};
     * each share's next and end chunk packed in one long, so owner and thief claim by one CAS.
     */
    private static final class Job {
        final int n, chunks;
        final RangeBody body;
        final AtomicLongArray shares;
        final AtomicInteger done = new AtomicInteger();
        volatile RuntimeException failure;

        Job(int n, int chunks, int threads, RangeBody body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.shares = new AtomicLongArray(threads);
            for (int p = 0; p < threads; p++) shares.set(p, share(chunks * p / threads, chunks * (p + 1) / threads));
        }

        private static long share(int next, int end) {
            return (long) next << 32 | end;
        }

        void work(int participant) {
            for (long s; (int) (s = shares.get(participant)) > (int) (s >>> 32); ) {
                if (shares.compareAndSet(participant, s, s + (1L << 32))) run((int) (s >>> 32));
            }
            for (int victim; (victim = fullest()) >= 0; ) {
                long s = shares.get(victim);
                int end = (int) s;
                if (end > (int) (s >>> 32) && shares.compareAndSet(victim, s, s - 1)) run(end - 1);
            }
        }

        /** The share with most unclaimed chunks, or −1 when all are claimed. */
        private int fullest() {
            int victim = -1, most = 0;
            for (int p = 0; p < shares.length(); p++) {
                long s = shares.get(p);
                int left = (int) s - (int) (s >>> 32);
                if (left > most) {
                    most = left;
                    victim = p;
                }
            }
            return victim;
        }

        private void run(int c) {
            try {
                body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            } catch (RuntimeException | Error e) {
                failure = e instanceof RuntimeException r ? r : new RuntimeException(e);
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private final class Worker extends Thread {
        final int index;
        volatile boolean parked;

        Worker(int index) {
            super("glm4j-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (!closed) {
                Job job = current;
                if (job != seen) {
                    seen = job;
                    job.work(index);
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
